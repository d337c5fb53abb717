"""Accounts, roles, sessions and one-time links."""
