"""The purchasing area's mail: ``purchase_order.sent`` → the purchase order to the supplier,
its PDF attached when the mail is sent (ordersmith.jobs.attachments), logged in the
communications log against the supplier. Registered in ``handlers.default_handlers``.

Like every handler it is safe to run twice (UNIQUE(source_event_id, kind)), and what
it cannot find (the order, the supplier) is logged and skipped, never retried forever.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from ordersmith.money import money_str
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_supplier_message
from ordersmith.purchasing.errors import PurchaseOrderNotFound, SupplierNotFound
from ordersmith.purchasing.queries import get_purchase_order, get_supplier
from ordersmith.uow import UnitOfWork

if TYPE_CHECKING:
    from ordersmith.jobs.handlers import OutboxRecord

log = structlog.get_logger(__name__)


def purchase_order_sent(uow: UnitOfWork, event: OutboxRecord) -> None:
    """Mail the purchase order to the address it was sent to (nothing when it was sent
    without email: ordered by phone or on the supplier's portal)."""
    payload = event.payload
    if not payload.get("email"):
        return
    try:
        po = get_purchase_order(uow.session, event.aggregate_id)
        supplier = get_supplier(uow.session, po.supplier_id)
    except (PurchaseOrderNotFound, SupplierNotFound):
        log.warning("message_skipped", reason="no purchase order", event_id=str(event.id))
        return
    recipient = str(payload.get("recipient") or supplier.email)
    queue_supplier_message(
        uow,
        kind=MessageKind.PURCHASE_ORDER,
        supplier_id=supplier.id,
        recipient=recipient,
        greeting_name=supplier.contact_name or supplier.name,
        source_event_id=event.id,
        context={
            "po_number": po.number,
            "total": money_str(po.total, po.currency),
            "currency": po.currency,
            "deliver_to": po.warehouse,
            "lines": [
                {
                    "sku": line.sku,
                    "supplier_sku": line.supplier_sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "expected_date": line.expected_date.isoformat(),
                }
                for line in po.lines
            ],
        },
        attachments=[{"kind": "purchase_order", "id": str(po.id), "filename": f"{po.number}.pdf"}],
    )
