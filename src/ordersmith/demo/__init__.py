"""The demo business behind ``ordersmith demo``: a seeded wholesale supplier with two
years of order history, stock and open orders (``generator``: pure data; ``loader``:
writes it through the services)."""
