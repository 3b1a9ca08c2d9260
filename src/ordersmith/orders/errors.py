from ordersmith.errors import AlreadyExists, Conflict, NotFound, ValidationFailed


class OrderNotFound(NotFound):
    code = "order_not_found"


class DuplicateExternalRef(AlreadyExists):
    code = "duplicate_external_ref"
    title = "An order with this external reference already exists on this channel"


class ProductNotOrderable(Conflict):
    code = "product_not_orderable"
    title = "Product cannot be ordered"


class NoPrice(Conflict):
    code = "no_price"
    title = "No price in the order currency"


class InvalidOrder(ValidationFailed):
    code = "validation_error"


class OrderVersionConflict(Conflict):
    code = "order_version_conflict"
    title = "The order was changed by someone else"


class OrderPickingStarted(Conflict):
    code = "order_picking_started"
    title = "Picking has started: only the shipping address and notes may change"


class OrderAlreadyBilled(Conflict):
    code = "order_already_billed"
    title = "The order is invoiced or paid: its lines cannot change"


class OrdersNotMergeable(Conflict):
    code = "orders_not_mergeable"
    title = "These orders cannot be merged"
