"""Rate limits on typed coupon codes, shared by the coupon centre's page and the API: per resident
and per address, every attempt counted (a wrong code and a right one look the same to a guesser)."""
from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..extensions import limiter


def _account_key():
    return f"coupon-code:user:{getattr(current_user, 'id', None)}"


def _address_key():
    return f"coupon-code:addr:{get_remote_address()}"


def code_limits(on_breach=None):
    """The two limits as decorators (apply both to a view that takes a typed code)."""
    per_account = limiter.shared_limit(lambda: current_app.config["COUPON_CODE_LIMIT_PER_ACCOUNT"],
                                       scope="coupon-code-account", key_func=_account_key, methods=["POST"],
                                       on_breach=on_breach)
    per_address = limiter.shared_limit(lambda: current_app.config["COUPON_CODE_LIMIT_PER_ADDRESS"],
                                       scope="coupon-code-address", key_func=_address_key, methods=["POST"],
                                       on_breach=on_breach)
    return per_account, per_address
