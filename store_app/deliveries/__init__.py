"""Delivery tasks and couriers' shifts."""
