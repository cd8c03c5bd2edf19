"""Carts and orders of the 30-minute delivery line."""
