"""Billing: invoices, payments, credit notes and the double-entry journal (ADR 0012)."""
