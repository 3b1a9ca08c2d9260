"""API tokens and roles: opaque bearer tokens, stored only as hashes."""
