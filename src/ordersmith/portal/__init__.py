"""The customer self-service portal: accounts, invites, password resets, sessions (ADR 0029)."""
