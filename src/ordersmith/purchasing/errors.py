"""Errors of the purchasing area (stable codes, part of the public API).

NotFound
├── SupplierNotFound           404 supplier_not_found
├── SupplierProductNotFound    404 supplier_product_not_found
└── PurchaseOrderNotFound      404 purchase_order_not_found
Conflict
├── SupplierExists             409 supplier_exists
├── SupplierProductExists      409 supplier_product_exists
├── SupplierInactive           409 supplier_inactive
├── SupplierCurrencyLocked     409 supplier_currency_locked
├── PreferredSupplierConflict  409 preferred_supplier_conflict
├── ProductNotSupplied         409 product_not_supplied
├── SupplierHasNoEmail         409 supplier_has_no_email
├── OverReceipt                409 over_receipt
└── InvalidTransition          409 invalid_transition (purchasing.status)
ValidationFailed               422 validation_error with field errors
"""

from __future__ import annotations

from ordersmith.errors import AlreadyExists, Conflict, NotFound


class SupplierNotFound(NotFound):
    code = "supplier_not_found"


class SupplierProductNotFound(NotFound):
    code = "supplier_product_not_found"


class PurchaseOrderNotFound(NotFound):
    code = "purchase_order_not_found"


class SupplierExists(AlreadyExists):
    code = "supplier_exists"
    title = "A supplier with this code exists"


class SupplierProductExists(AlreadyExists):
    code = "supplier_product_exists"
    title = "The supplier already supplies this product"


class SupplierInactive(Conflict):
    code = "supplier_inactive"
    title = "The supplier is not active"


class SupplierCurrencyLocked(Conflict):
    code = "supplier_currency_locked"
    title = "The supplier's currency cannot change once it has products or purchase orders"


class PreferredSupplierConflict(Conflict):
    code = "preferred_supplier_conflict"
    title = "Another supplier was made preferred for this product at the same time"


class ProductNotSupplied(Conflict):
    code = "product_not_supplied"
    title = "The supplier does not supply this product"


class SupplierHasNoEmail(Conflict):
    code = "supplier_has_no_email"
    title = "The supplier has no email address to send the purchase order to"


class OverReceipt(Conflict):
    code = "over_receipt"
    title = "More received than was ordered (beyond the tolerance)"
