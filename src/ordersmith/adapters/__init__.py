"""Outbound I/O behind small Protocols: mail, carriers, payments, webhooks.

Each Protocol has one working built-in implementation and a contract test.
"""
