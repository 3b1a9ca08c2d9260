"""Which area reacts to which other area's events inside the same transaction.

Built on call (``Database.connect``), never at import. The outbox worker's handlers
(email, webhooks) are listed in ``ordersmith.jobs``; these run before commit.
"""

from __future__ import annotations

from ordersmith.events import DomainEvent
from ordersmith.uow import Subscriber


def in_transaction_subscribers() -> dict[type[DomainEvent], list[Subscriber]]:
    import ordersmith.fulfillment.reactions as reactions
    import ordersmith.shipping.dispatch as dispatch
    from ordersmith.billing import policy
    from ordersmith.inventory.events import (
        StockAdjusted,
        StockReceived,
        StockReturned,
        StockTransferReceived,
        StockTransferReturned,
    )
    from ordersmith.orders.events import OrderCancelled, OrderConfirmed, OrderReleased
    from ordersmith.shipping.events import ShipmentDispatched

    return {
        OrderConfirmed: [reactions.allocate_confirmed_order],
        OrderReleased: [reactions.allocate_released_order, dispatch.complete_released_order],
        OrderCancelled: [reactions.cancel_allocations],
        StockReceived: [reactions.allocate_backorders_on_arrival],
        StockReturned: [reactions.allocate_backorders_on_arrival],
        StockAdjusted: [reactions.allocate_backorders_on_arrival],
        StockTransferReceived: [reactions.allocate_backorders_on_arrival],
        StockTransferReturned: [reactions.allocate_backorders_on_arrival],
        ShipmentDispatched: [policy.invoice_on_dispatch],
    }
