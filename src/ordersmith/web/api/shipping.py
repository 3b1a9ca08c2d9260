"""Shipping: carriers, shipments (pack, label, packing slip, dispatch, cancel), tracking.

Carriers post tracking events to `/carriers/{code}/tracking-webhook`, signed per
Standard Webhooks with the carrier webhook secret (no bearer token): the signature,
a timestamp within tolerance and the event ids make it safe to replay and retry.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.errors import FieldError
from ordersmith.errors import ValidationFailed as Invalid
from ordersmith.shipping import carriers, queries
from ordersmith.shipping.dispatch import cancel_shipment, dispatch_shipment
from ordersmith.shipping.documents import print_packing_slip, render_packing_slip
from ordersmith.shipping.labels import print_label
from ordersmith.shipping.packing import PackageInput, pack_shipment
from ordersmith.shipping.signing import verify
from ordersmith.shipping.tracking import TrackingInput, record_tracking
from ordersmith.uow import Database
from ordersmith.web.deps import DbDep, require
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_time_cursor,
    encode_time_cursor,
)
from ordersmith.web.pdf import pdf_response
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.fulfilment import (
    CancelShipmentIn,
    CarrierCreate,
    CarrierOut,
    ConsolidationOfferOut,
    LabelIn,
    ShipmentCreate,
    ShipmentOut,
    TrackingIn,
    TrackingOut,
    TrackingWebhookIn,
)

router = APIRouter(tags=["shipping"])

Reader = Annotated[Principal, Depends(require(Permission.FULFILMENT_READ))]
Worker = Annotated[Principal, Depends(require(Permission.FULFILMENT_WRITE))]
CarrierAdmin = Annotated[Principal, Depends(require(Permission.CARRIERS_WRITE))]
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


def _shipment(db: Database, shipment: str) -> ShipmentOut:
    with db.reader() as session:
        return ShipmentOut.model_validate(queries.get_shipment(session, shipment))


def _shipment_id(db: Database, shipment: str) -> uuid.UUID:
    with db.reader() as session:
        return queries.get_shipment(session, shipment).id


@router.post("/carriers", status_code=201, response_model=CarrierOut)
def create_carrier(body: CarrierCreate, db: DbDep, principal: CarrierAdmin) -> CarrierOut:
    """A carrier: `local_courier` (we number and label) or `generic` (a tracking URL
    template with `{tracking_number}`), with its service levels and transit days."""
    with db.unit_of_work(actor=principal.actor) as uow:
        view = carriers.create_carrier(
            uow,
            code=body.code,
            name=body.name,
            kind=body.kind,
            tracking_url_template=body.tracking_url_template,
            services=[carriers.ServiceInput(**s.model_dump()) for s in body.services],
        )
    return CarrierOut.model_validate(view)


@router.get("/carriers", response_model=list[CarrierOut])
def list_carriers(db: DbDep, _: Reader) -> list[CarrierOut]:
    with db.reader() as session:
        return [CarrierOut.model_validate(c) for c in carriers.list_carriers(session)]


@router.post("/shipments", status_code=201, response_model=ShipmentOut)
def create_shipment(body: ShipmentCreate, db: DbDep, principal: Worker) -> ShipmentOut:
    """Pack picked goods of one or more orders (one customer, one address) into boxes."""
    packages = [
        PackageInput(
            weight_grams=p.weight_grams,
            length_mm=p.length_mm,
            width_mm=p.width_mm,
            height_mm=p.height_mm,
            contents={c.line_id: c.quantity for c in p.contents},
        )
        for p in body.packages
    ]
    with db.unit_of_work(actor=principal.actor) as uow:
        ref = pack_shipment(
            uow,
            order_ids=body.order_ids,
            warehouse=body.warehouse,
            carrier=body.carrier,
            service_level=body.service_level,
            packages=packages,
            consolidate=body.consolidate,
        )
    return _shipment(db, str(ref.id))


@router.get("/shipments", response_model=Page[ShipmentOut])
def list_shipments(
    db: DbDep,
    _: Reader,
    status: str | None = Query(None, max_length=24),
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ShipmentOut]:
    """Shipments newest first with keyset pagination."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        rows = queries.list_shipments(
            session,
            status=status,
            customer_id=customer_id,
            order_id=order_id,
            limit=limit + 1,
            before=before,
        )
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[ShipmentOut.model_validate(r) for r in rows[:limit]],
        next_cursor=encode_time_cursor(last.created_at, last.id) if last else None,
    )


@router.get("/shipments/{shipment}", response_model=ShipmentOut)
def get_shipment(shipment: str, db: DbDep, _: Reader) -> ShipmentOut:
    """A shipment by id or number: lines, packages and every tracking event."""
    return _shipment(db, shipment)


@router.post("/shipments/{shipment}/label", response_class=Response, responses=PDF)
def label(shipment: str, db: DbDep, principal: Worker, body: LabelIn | None = None) -> Response:
    """Book with the carrier (the first time) and return the labels, one page per box.
    The labels are drawn after the booking is committed; if drawing fails (503
    ``label_not_rendered``) the booking stands and posting again prints it."""
    shipment_id = _shipment_id(db, shipment)
    tracking_number, pdf = print_label(
        lambda: db.unit_of_work(actor=principal.actor),
        shipment_id=shipment_id,
        tracking_number=body.tracking_number if body else None,
    )
    return pdf_response(pdf, f"label-{tracking_number}")


@router.get("/shipments/{shipment}/packing-slip", response_class=Response, responses=PDF)
def packing_slip(shipment: str, db: DbDep, principal: Worker) -> Response:
    """The packing slip (A4 PDF); printing it is recorded on the shipment."""
    shipment_id = _shipment_id(db, shipment)
    with db.unit_of_work(actor=principal.actor) as uow:
        slip = print_packing_slip(uow, shipment_id=shipment_id)
    return pdf_response(render_packing_slip(slip), f"packing-slip-{shipment}")


@router.post("/shipments/{shipment}/dispatch", response_model=ShipmentOut)
def dispatch(shipment: str, db: DbDep, principal: Worker) -> ShipmentOut:
    """The goods left: stock goes out through the ledger, the customer is told."""
    shipment_id = _shipment_id(db, shipment)
    with db.unit_of_work(actor=principal.actor) as uow:
        dispatch_shipment(uow, shipment_id=shipment_id)
    return _shipment(db, str(shipment_id))


@router.post("/shipments/{shipment}/cancel", response_model=ShipmentOut)
def cancel(
    shipment: str, db: DbDep, principal: Worker, body: CancelShipmentIn | None = None
) -> ShipmentOut:
    """Unpack a shipment that has not left; its goods wait, picked, to be packed again."""
    shipment_id = _shipment_id(db, shipment)
    with db.unit_of_work(actor=principal.actor) as uow:
        cancel_shipment(uow, shipment_id=shipment_id, reason=body.reason if body else "")
    return _shipment(db, str(shipment_id))


@router.post("/shipments/{shipment}/tracking", response_model=TrackingOut)
def add_tracking(shipment: str, body: TrackingIn, db: DbDep, principal: Worker) -> TrackingOut:
    """Record tracking events by hand (a phone call with the carrier, a driver's report)."""
    with db.reader() as session:
        view = queries.get_shipment(session, shipment)
    if not view.tracking_number:
        raise Invalid(
            f"shipment {view.number} has no tracking number yet: print its label first",
            code="no_tracking_number",
        )
    events = [
        TrackingInput(tracking_number=view.tracking_number, **e.model_dump()) for e in body.events
    ]
    with db.unit_of_work(actor=principal.actor) as uow:
        result = record_tracking(uow, carrier=view.carrier, events=events, source="api")
    return TrackingOut(
        received=result.received, duplicates=result.duplicates, shipments=result.shipments
    )


@router.post("/carriers/{code}/tracking-webhook", response_model=TrackingOut)
async def tracking_webhook(code: str, request: Request) -> TrackingOut:
    """Inbound carrier events, signed (Standard Webhooks headers `webhook-id`,
    `webhook-timestamp`, `webhook-signature`). Replays and retries change nothing."""
    db: Database = request.app.state.db
    raw = await request.body()
    message_id = verify(
        db.settings.effective_webhook_secret(),
        headers=request.headers,
        body=raw,
        now=int(time.time()),
        tolerance_seconds=db.settings.webhook_tolerance_seconds,
    )
    try:
        body = TrackingWebhookIn.model_validate_json(raw)
    except ValidationError as exc:
        raise Invalid(
            "the tracking events are not valid",
            fields=[
                FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
                for e in exc.errors()[:50]
            ],
        ) from exc
    events = [TrackingInput(**e.model_dump()) for e in body.events]

    def record() -> TrackingOut:
        with db.unit_of_work(actor=f"carrier:{code}:{message_id}"[:120]) as uow:
            result = record_tracking(uow, carrier=code, events=events, source="webhook")
        return TrackingOut(
            received=result.received, duplicates=result.duplicates, shipments=result.shipments
        )

    return await run_in_threadpool(record)


@router.get("/consolidation-offers", response_model=list[ConsolidationOfferOut])
def consolidation_offers(db: DbDep, _: Reader) -> list[ConsolidationOfferOut]:
    """Open orders of one customer to one address at one warehouse, not yet packed:
    pack them together (`POST /shipments` with all their ids)."""
    with db.reader() as session:
        return [
            ConsolidationOfferOut.model_validate(o) for o in queries.consolidation_offers(session)
        ]
