from ordersmith.errors import AlreadyExists, Conflict, NotFound


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"


class WarehouseExists(AlreadyExists):
    code = "warehouse_exists"


class UnknownSku(NotFound):
    code = "product_not_found"


class InsufficientStock(Conflict):
    """Not enough available stock to reserve (the order's policy is to reject)."""

    code = "insufficient_stock"
    title = "Insufficient stock"


class StockWouldGoNegative(Conflict):
    code = "stock_would_go_negative"
    title = "Adjustment would leave less on hand than is reserved"


class WarehouseInactive(Conflict):
    code = "warehouse_inactive"
    title = "Warehouse is not active"


class TransferNotFound(NotFound):
    code = "transfer_not_found"


class ReceiptExceedsOutstanding(Conflict):
    """A transfer receipt names more units than were shipped and not yet received."""

    code = "receipt_exceeds_outstanding"
    title = "More received than is on the way"
