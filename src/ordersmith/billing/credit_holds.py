"""Credit control's side of an order held for credit (ordersmith.orders.payment_holds).

An account customer's order that would pass their credit limit is placed on hold,
reason ``credit``. Lifting that hold is credit control's decision: it needs
``credit:release`` (accounting, admin), not ``orders:manage`` (ADR 0026). The release
itself is the order lifecycle's ``release_order`` (history, event), run as the system
once the permission is checked, as a consequence of the decision (ADR 0023).
"""

from __future__ import annotations

import uuid

from ordersmith.auth.permissions import Permission
from ordersmith.billing.errors import NotOnCreditHold
from ordersmith.orders.locking import lock_order
from ordersmith.orders.services import release_order
from ordersmith.orders.status import HoldReason, OrderStatus
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork


def release_credit_hold(uow: UnitOfWork, *, order_id: uuid.UUID, note: str) -> OrderView:
    """Lift the order's credit hold (``note``, why, is required and logged).
    NotOnCreditHold when the order is not on hold for credit (any more)."""
    uow.authorize(Permission.CREDIT_RELEASE)
    order = lock_order(uow, order_id)
    if order["status"] != OrderStatus.ON_HOLD.value or order["hold_reason"] != HoldReason.CREDIT:
        raise NotOnCreditHold(
            f"order {order['number']} is not on hold for credit",
            extra={"status": order["status"], "hold_reason": order["hold_reason"]},
        )
    with uow.as_system():
        return release_order(uow, order_id=order_id, note=note)
