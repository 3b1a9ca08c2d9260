"""Replenishment: policies per (warehouse, SKU), requests to buy or transfer stock, and
turning approved requests into purchase orders and transfers (ADR 0018)."""
