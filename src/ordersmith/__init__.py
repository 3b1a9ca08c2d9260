"""Ordersmith: order management that captures every order once, against real-time stock."""

__version__ = "0.1.0"
