"""Exactly-once capture for creating POSTs (Idempotency-Key, IETF draft semantics)."""
