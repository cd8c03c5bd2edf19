"""The roles a person can have; pure (no framework), shared by models and rules."""
from enum import StrEnum


class Role(StrEnum):
    """What a person does in the store; it decides their home page and what they may open."""

    RESIDENT = "resident"  # shops, collects parcels, orders breakfast, books services
    STAFF = "staff"        # works the counter: parcels, orders, dispatch
    COURIER = "courier"    # carries deliveries on a phone
    VENDOR = "vendor"      # a vetted service provider of the marketplace
    OWNER = "owner"        # runs the store: settings, team, KPI board
