"""Pickup codes: six digits derived from the parcel's nonce and the app's secret key, never stored
(the database keeps a keyed hash). Check-in issues them, the counter checks them, the resident's
page shows them."""
from flask import current_app

from . import rules


def code_secret():
    """The key pickup codes are derived and hashed with: the app's ``SECRET_KEY``."""
    return current_app.config["SECRET_KEY"]


def pickup_code(parcel):
    """The parcel's current six-digit code (derived; never stored)."""
    return rules.derive_code(code_secret(), parcel.code_nonce) if parcel.code_nonce else None
