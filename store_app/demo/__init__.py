"""The demo community: one store, its buildings and people, for ``make run``."""
