"""Catalog: products (SKUs) and price lists."""
