"""Inventory: warehouses, the stock movement ledger and its projection (stock levels)."""
