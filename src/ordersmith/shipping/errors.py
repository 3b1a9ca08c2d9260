"""Errors of the shipping area.

Unauthorized
└── WebhookRejected          401, codes:
                               webhook_headers_missing
                               webhook_timestamp_invalid
                               webhook_timestamp_out_of_tolerance
                               webhook_signature_invalid
ValidationFailed
└── InvalidWebhookSecret     422 webhook_secret_invalid
OmsError
└── LabelNotRendered         503 label_not_rendered (booked and kept; print again)
"""

from __future__ import annotations

from ordersmith.errors import OmsError, Unauthorized, ValidationFailed


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


class LabelNotRendered(OmsError):
    """The shipment is booked (its tracking number is stored and kept), but drawing its
    label failed after the booking was committed. Printing again draws it from the
    stored booking; nothing is booked twice. ``extra`` names the shipment and its
    tracking number."""

    code = "label_not_rendered"
    status = 503
    title = "Label not drawn"
