"""Webhook signatures in the Standard Webhooks scheme (https://www.standardwebhooks.com/).

Used both ways: carriers posting tracking events to us (``verify``) and the outbox
worker posting our events to subscribers (``sign`` / ``signature_headers``).

A message carries three headers::

    webhook-id:        msg_2KWPBgLlAfxdpx2AI54pPJ85f4W     (unique per message, kept on retries)
    webhook-timestamp: 1614265330                          (unix seconds, fresh on each attempt)
    webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,...

Each ``v1,`` entry is ``base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))`` over the
raw body bytes. Several entries may be present while a secret is rotated; one match is
enough. Entries of other versions (``v1a`` asymmetric signatures) are ignored.

The key: a secret ``whsec_<base64>`` is the base64 of the key bytes, as the spec and its
reference libraries have it; any other secret is used as its UTF-8 bytes, so that a
carrier's plain shared secret works too.

Replay protection has two halves (ADR 0010). Here: the timestamp is signed and must lie
within ``tolerance_seconds`` of ``now`` either way (300 s is the spec's usual value),
so a captured request cannot be replayed later. In the database, by the caller:
``webhook-id`` (and each tracking event id) is stored under a unique key, so a replay
inside the window, or a carrier's honest retry, is recorded once.

``verify`` raises ``WebhookRejected`` (401) with one of the codes
``webhook_headers_missing``, ``webhook_timestamp_invalid``,
``webhook_timestamp_out_of_tolerance``, ``webhook_signature_invalid``, checked in that
order. Signatures are compared with ``hmac.compare_digest``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

from ordersmith.shipping.errors import InvalidWebhookSecret, WebhookRejected

HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"
SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300

_TIMESTAMP = re.compile(r"[0-9]{1,15}", re.ASCII)


def secret_key(secret: str) -> bytes:
    """The HMAC key a secret stands for; raises InvalidWebhookSecret if there is none.

    Call it when a secret is entered, so that a bad one is refused there and not on
    the first webhook.
    """
    if secret.startswith(SECRET_PREFIX):
        try:
            key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except ValueError:  # binascii.Error, or non-ASCII text
            raise InvalidWebhookSecret(
                "a whsec_ secret must be followed by base64 key bytes"
            ) from None
    else:
        key = secret.encode("utf-8")
    if not key:
        raise InvalidWebhookSecret("the webhook secret is empty")
    return key


def generate_secret(key_bytes: int = 32) -> str:
    """A new random secret in the ``whsec_`` form (24 to 64 key bytes)."""
    if not 24 <= key_bytes <= 64:
        raise InvalidWebhookSecret("a webhook key has 24 to 64 bytes")
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(key_bytes)).decode("ascii")


def _digest(key: bytes, message_id: str, timestamp: int, body: bytes) -> bytes:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one message."""
    digest = _digest(secret_key(secret), message_id, timestamp, body)
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_headers(
    secret: str, *, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of an outbound message (sign again on every retry)."""
    return {
        HEADER_ID: message_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: sign(secret, message_id=message_id, timestamp=timestamp, body=body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return (value or "").strip()


def _candidates(signature_header: str) -> list[bytes]:
    found = []
    for entry in signature_header.split():
        version, _, encoded = entry.partition(",")
        if version != SIGNATURE_VERSION:
            continue
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def verify(
    secret: str,
    *,
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance_seconds: int,
) -> str:
    """Check an inbound message and return its ``webhook-id``; raise WebhookRejected.

    ``headers`` may be any mapping (a dict, Starlette's ``Headers``); names are looked
    up case-insensitively. ``now`` is unix seconds.
    """
    message_id = _header(headers, HEADER_ID)
    timestamp_text = _header(headers, HEADER_TIMESTAMP)
    signature_header = _header(headers, HEADER_SIGNATURE)
    missing = [
        name
        for name, value in (
            (HEADER_ID, message_id),
            (HEADER_TIMESTAMP, timestamp_text),
            (HEADER_SIGNATURE, signature_header),
        )
        if not value
    ]
    if missing:
        raise WebhookRejected(
            f"missing webhook header(s): {', '.join(missing)}",
            code="webhook_headers_missing",
            extra={"missing": missing},
        )
    if not _TIMESTAMP.fullmatch(timestamp_text):
        raise WebhookRejected(
            "webhook-timestamp must be unix seconds (an integer)",
            code="webhook_timestamp_invalid",
        )
    timestamp = int(timestamp_text)
    if abs(now - timestamp) > tolerance_seconds:
        raise WebhookRejected(
            f"webhook-timestamp is {timestamp - now:+d} s from now; "
            f"at most {tolerance_seconds} s either way is accepted",
            code="webhook_timestamp_out_of_tolerance",
        )
    expected = _digest(secret_key(secret), message_id, timestamp, body)
    matched = False
    for candidate in _candidates(signature_header):
        # no early exit: the time taken does not depend on which entry matched
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise WebhookRejected(
            "no webhook signature matches this message", code="webhook_signature_invalid"
        )
    return message_id
