"""Purchasing: suppliers, what they supply, purchase orders, receiving, scorecards (ADR 0016)."""
