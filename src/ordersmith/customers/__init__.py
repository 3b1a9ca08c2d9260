"""Customers (CRM): accounts, addresses, groups, account terms and history."""
