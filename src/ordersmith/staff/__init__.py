"""Staff users of the back office: accounts, roles, passwords, sessions (ADR 0023)."""
