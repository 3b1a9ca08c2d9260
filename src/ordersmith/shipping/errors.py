"""Errors of the shipping area.

Unauthorized
└── WebhookRejected          401, codes:
                               webhook_headers_missing
                               webhook_timestamp_invalid
                               webhook_timestamp_out_of_tolerance
                               webhook_signature_invalid
ValidationFailed
└── InvalidWebhookSecret     422 webhook_secret_invalid
"""

from __future__ import annotations

from ordersmith.errors import Unauthorized, ValidationFailed


class WebhookRejected(Unauthorized):
    """An inbound webhook whose headers, timestamp or signature do not check out.

    Raised with one of the four codes above; the detail never contains a secret or
    the expected signature.
    """

    code = "webhook_signature_invalid"
    title = "Webhook rejected"


class InvalidWebhookSecret(ValidationFailed):
    code = "webhook_secret_invalid"
    title = "Invalid webhook secret"
