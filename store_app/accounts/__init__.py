"""Accounts: one per person, with a role, addresses and a session version."""
