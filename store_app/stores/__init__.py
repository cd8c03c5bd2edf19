"""Stores: the tenant every business row belongs to, with its hours and promise."""
