"""Payment providers' webhooks: `POST /payment-providers/{provider}/webhook`.

No bearer token: each message is signed per Standard Webhooks (`webhook-id`,
`webhook-timestamp`, `webhook-signature`) and refused unless the signature matches and
the timestamp is within `ORDERSMITH_WEBHOOK_TOLERANCE_SECONDS`. The body is one event:

    {"id": "evt_123", "type": "payment.succeeded", "data": {...}}

`payment.succeeded` records a card payment, `refund.succeeded` a refund; other types
are answered `ignored`. Each event is handled once, however often it is delivered
(ordersmith.billing.provider_events): a repeat answers `duplicate` with the payment.
"""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from ordersmith.billing.provider_events import (
    ProviderEvent,
    ProviderEventType,
    handle_provider_event,
)
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.shipping.signing import verify
from ordersmith.uow import Database
from ordersmith.web.schemas.billing import (
    PaymentOut,
    PaymentSucceededData,
    ProviderEventIn,
    ProviderEventOut,
    RefundSucceededData,
)

router = APIRouter(tags=["billing"])

MAX_BODY = 256 * 1024
_PROVIDER = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}", re.ASCII)
_DATA_MODELS: dict[ProviderEventType, type[BaseModel]] = {
    ProviderEventType.PAYMENT_SUCCEEDED: PaymentSucceededData,
    ProviderEventType.REFUND_SUCCEEDED: RefundSucceededData,
}


class PayloadTooLarge(OmsError):
    code = "payload_too_large"
    status = 413
    title = "Payload too large"


def _invalid(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    return ValidationFailed(
        "the payment provider's event is not valid",
        fields=[
            FieldError(prefix + (".".join(str(p) for p in e["loc"]) or "body"), e["msg"])
            for e in exc.errors()[:50]
        ],
    )


def _body_field(name: str) -> str:
    if name in ("provider", "id") or name.startswith("data."):
        return name
    return "data.last4" if name == "card_last4" else f"data.{name}"


def _parse(model: type[BaseModel], value: Any, prefix: str = "") -> Any:
    try:
        if isinstance(value, bytes):
            return model.model_validate_json(value)
        return model.model_validate(value)
    except ValidationError as exc:
        raise _invalid(exc, prefix) from exc


@router.post(
    "/payment-providers/{provider}/webhook",
    response_model=ProviderEventOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ProviderEventIn.model_json_schema()}},
        }
    },
)
async def payment_provider_webhook(provider: str, request: Request) -> ProviderEventOut:
    """A payment provider's event, signed per Standard Webhooks (no bearer token):
    `payment.succeeded` records a card payment, `refund.succeeded` a refund. Delivering
    an event again changes nothing and answers `duplicate`."""
    db: Database = request.app.state.db
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge(f"one event per message, at most {MAX_BODY} bytes")
    message_id = verify(
        db.settings.effective_payment_webhook_secret(),
        headers=request.headers,
        body=raw,
        now=int(time.time()),
        tolerance_seconds=db.settings.webhook_tolerance_seconds,
    )
    if not _PROVIDER.fullmatch(provider):
        raise ValidationFailed(
            "a payment provider's name is 1-40 lower-case letters, digits, '.', '_' or '-'",
            fields=[FieldError("provider", "not a provider name")],
        )
    envelope: ProviderEventIn = _parse(ProviderEventIn, raw)
    event_id = envelope.id or message_id
    try:
        event_type = ProviderEventType(envelope.type)
    except ValueError:
        return ProviderEventOut(
            event_id=event_id, type=envelope.type, status="ignored", payment=None
        )
    data = _parse(_DATA_MODELS[event_type], envelope.data, "data.")
    event = ProviderEvent(
        provider=provider,
        event_id=event_id,
        event_type=event_type,
        message_id=message_id,
        **data.model_dump(),
    )

    def handle() -> ProviderEventOut:
        try:
            with db.unit_of_work(actor=f"provider:{provider}:{message_id}"[:120]) as uow:
                outcome = handle_provider_event(uow, event)
        except OmsError as exc:  # the services' field names, as found in this body
            exc.fields = [FieldError(_body_field(f.field), f.message) for f in exc.fields]
            raise
        return ProviderEventOut(
            event_id=event_id,
            type=event_type.value,
            status=outcome.status,
            payment=PaymentOut.model_validate(outcome.payment),
        )

    return await run_in_threadpool(handle)
