"""Courier staffing for the owner: the store's own past orders replayed with chosen couriers per hour."""
