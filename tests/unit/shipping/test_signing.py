import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import Headers

from ordersmith.errors import Unauthorized
from ordersmith.shipping.errors import InvalidWebhookSecret, WebhookRejected
from ordersmith.shipping.signing import (
    generate_secret,
    secret_key,
    sign,
    signature_headers,
    verify,
)

SECRET = "whsec_" + base64.b64encode(b"carrier-shared-key-0123456789ab").decode()
NOW = 1_772_000_000
BODY = b'{"event_id": "trk_1", "status": "delivered"}'


def headers_for(secret: str = SECRET, *, message_id: str = "msg_1", timestamp: int = NOW):
    return signature_headers(secret, message_id=message_id, timestamp=timestamp, body=BODY)


def rejection(headers, *, body: bytes = BODY, now: int = NOW, secret: str = SECRET) -> str:
    with pytest.raises(WebhookRejected) as caught:
        verify(secret, headers=headers, body=body, now=now, tolerance_seconds=300)
    assert caught.value.status == 401
    return caught.value.code


def test_a_signed_message_verifies_and_returns_its_id():
    # given
    headers = headers_for(message_id="msg_42")
    # when
    message_id = verify(SECRET, headers=headers, body=BODY, now=NOW, tolerance_seconds=300)
    # then
    assert message_id == "msg_42"


def test_the_signature_is_base64_hmac_sha256_of_id_timestamp_and_body_with_the_decoded_key():
    # given: the computation written out by hand
    key = b"carrier-shared-key-0123456789ab"
    signed = b"msg_1." + str(NOW).encode() + b"." + BODY
    by_hand = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # when
    signature = sign(SECRET, message_id="msg_1", timestamp=NOW, body=BODY)
    # then
    assert signature == by_hand


def test_the_published_standard_webhooks_vector_is_reproduced():
    # given: the example of the specification's reference libraries
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    # when
    signature = sign(
        secret,
        message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    )
    # then
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_plain_text_secret_is_used_as_its_utf8_bytes():
    # given
    signed = b"msg_1." + str(NOW).encode() + b"." + BODY
    by_hand = base64.b64encode(hmac.new(b"s3cr\xc3\xa9t", signed, hashlib.sha256).digest())
    # when
    signature = sign("s3crét", message_id="msg_1", timestamp=NOW, body=BODY)
    # then
    assert signature == "v1," + by_hand.decode()
    assert verify(
        "s3crét", headers=headers_for("s3crét"), body=BODY, now=NOW, tolerance_seconds=300
    )


def test_outbound_headers_carry_id_timestamp_and_signature():
    # when
    headers = headers_for(message_id="msg_9", timestamp=NOW)
    # then
    assert headers == {
        "webhook-id": "msg_9",
        "webhook-timestamp": str(NOW),
        "webhook-signature": sign(SECRET, message_id="msg_9", timestamp=NOW, body=BODY),
    }


def test_a_tampered_body_is_refused():
    assert rejection(headers_for(), body=BODY.replace(b"delivered", b"returned")) == (
        "webhook_signature_invalid"
    )


def test_a_tampered_message_id_is_refused():
    # given
    headers = headers_for() | {"webhook-id": "msg_2"}
    # when / then
    assert rejection(headers) == "webhook_signature_invalid"


def test_a_tampered_timestamp_is_refused_even_inside_the_tolerance():
    # given
    headers = headers_for() | {"webhook-timestamp": str(NOW + 1)}
    # when / then
    assert rejection(headers) == "webhook_signature_invalid"


def test_a_message_signed_with_another_secret_is_refused():
    assert rejection(headers_for(generate_secret())) == "webhook_signature_invalid"


@pytest.mark.parametrize("age", [301, 3600, NOW])
def test_an_old_message_is_refused_as_out_of_tolerance(age):
    assert rejection(headers_for(timestamp=NOW - age)) == "webhook_timestamp_out_of_tolerance"


@pytest.mark.parametrize("ahead", [301, 86_400])
def test_a_message_from_the_future_is_refused_as_out_of_tolerance(ahead):
    assert rejection(headers_for(timestamp=NOW + ahead)) == "webhook_timestamp_out_of_tolerance"


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_a_message_at_the_edge_of_the_tolerance_is_accepted(skew):
    headers = headers_for(timestamp=NOW + skew)
    assert verify(SECRET, headers=headers, body=BODY, now=NOW, tolerance_seconds=300) == "msg_1"


@pytest.mark.parametrize(
    "timestamp",
    [
        "soon",
        "1772000000.5",
        "-1772000000",
        "1e9",
        "\uff11\uff17\uff17\uff12",  # fullwidth digits
        "1_772_000_000",
    ],
)
def test_a_timestamp_that_is_not_unix_seconds_is_refused_as_invalid(timestamp):
    assert rejection(headers_for() | {"webhook-timestamp": timestamp}) == (
        "webhook_timestamp_invalid"
    )


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused_and_named(name):
    # given
    headers = {k: v for k, v in headers_for().items() if k != name}
    # when
    with pytest.raises(WebhookRejected) as caught:
        verify(SECRET, headers=headers, body=BODY, now=NOW, tolerance_seconds=300)
    # then
    assert caught.value.code == "webhook_headers_missing"
    assert caught.value.extra == {"missing": [name]}


def test_an_empty_header_counts_as_missing():
    assert rejection(headers_for() | {"webhook-signature": "  "}) == "webhook_headers_missing"


def test_header_names_are_matched_whatever_their_case():
    # given
    headers = {k.title(): v for k, v in headers_for().items()}
    shouting = {k.upper(): v for k, v in headers_for().items()}
    # when / then
    assert "Webhook-Signature" in headers
    assert verify(SECRET, headers=headers, body=BODY, now=NOW, tolerance_seconds=300)
    assert verify(SECRET, headers=shouting, body=BODY, now=NOW, tolerance_seconds=300)


def test_starlette_request_headers_can_be_passed_as_they_are():
    # given: the headers object a FastAPI endpoint gets
    raw = [(k.title().encode(), v.encode()) for k, v in headers_for().items()]
    headers = Headers(raw=raw)
    # when / then
    assert verify(SECRET, headers=headers, body=BODY, now=NOW, tolerance_seconds=300) == "msg_1"


def test_any_of_several_signatures_may_match_while_a_secret_is_rotated():
    # given: signed with the old and the new secret; we know only the new one
    old, new = generate_secret(), generate_secret()
    both = " ".join(
        [
            sign(old, message_id="msg_1", timestamp=NOW, body=BODY),
            sign(new, message_id="msg_1", timestamp=NOW, body=BODY),
        ]
    )
    headers = headers_for() | {"webhook-signature": both}
    # when / then
    assert verify(new, headers=headers, body=BODY, now=NOW, tolerance_seconds=300) == "msg_1"


def test_entries_of_other_versions_and_garbage_are_skipped():
    # given
    good = sign(SECRET, message_id="msg_1", timestamp=NOW, body=BODY)
    noisy = f"v1a,abcd v1,not*base64 v2,{good[3:]} ünïcode {good}"
    # when / then
    assert verify(
        SECRET,
        headers=headers_for() | {"webhook-signature": noisy},
        body=BODY,
        now=NOW,
        tolerance_seconds=300,
    )
    assert rejection(headers_for() | {"webhook-signature": f"v2,{good[3:]}"}) == (
        "webhook_signature_invalid"
    )


def test_the_rejection_is_an_unauthorized_error_and_never_shows_the_expected_signature():
    # given
    expected = sign(SECRET, message_id="msg_1", timestamp=NOW, body=BODY)
    headers = headers_for() | {"webhook-signature": "v1,AAAA"}
    # when
    with pytest.raises(Unauthorized) as caught:
        verify(SECRET, headers=headers, body=BODY, now=NOW, tolerance_seconds=300)
    # then
    assert isinstance(caught.value, WebhookRejected)
    assert expected[3:] not in caught.value.detail


@pytest.mark.parametrize("secret", ["", "whsec_", "whsec_***", "whsec_é"])
def test_a_secret_without_key_bytes_is_refused(secret):
    with pytest.raises(InvalidWebhookSecret) as caught:
        secret_key(secret)
    assert caught.value.code == "webhook_secret_invalid"


def test_a_generated_secret_is_whsec_with_32_random_key_bytes():
    # when
    first, second = generate_secret(), generate_secret()
    # then
    assert first.startswith("whsec_")
    assert len(secret_key(first)) == 32
    assert first != second


@given(st.binary(max_size=256), st.text(min_size=1, max_size=40).map(str.strip), st.data())
def test_any_body_round_trips_and_any_flipped_byte_is_refused(body, message_id, data):
    # given
    message_id = message_id or "msg"
    headers = signature_headers(SECRET, message_id=message_id, timestamp=NOW, body=body)
    # when / then
    assert verify(SECRET, headers=headers, body=body, now=NOW, tolerance_seconds=0) == message_id
    if body:
        index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
        flipped = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
        with pytest.raises(WebhookRejected):
            verify(SECRET, headers=headers, body=flipped, now=NOW, tolerance_seconds=0)
