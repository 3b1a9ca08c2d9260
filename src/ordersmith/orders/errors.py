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
