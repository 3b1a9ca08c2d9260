"""Catalog errors, each with a stable code."""

from __future__ import annotations

from ordersmith.errors import AlreadyExists, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"
    title = "Product not found"


class SkuAlreadyExists(AlreadyExists):
    code = "sku_exists"
    title = "SKU already exists"


class BarcodeAlreadyExists(AlreadyExists):
    code = "barcode_exists"
    title = "Barcode already used by another product"


class PriceListNotFound(NotFound):
    code = "price_list_not_found"
    title = "Price list not found"


class PriceListCodeExists(AlreadyExists):
    code = "price_list_code_exists"
    title = "Price list code already exists"


class PriceListItemNotFound(NotFound):
    code = "price_list_item_not_found"
    title = "Price list item not found"
