"""Returns (RMA): requests, authorisation, receipt, inspection, resolution (ADR 0019)."""
