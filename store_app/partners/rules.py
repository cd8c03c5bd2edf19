"""Pure rules of the partner page."""
from datetime import timedelta

# Long enough that guessing a link is hopeless: secrets.token_urlsafe(32) gives 43 characters.
TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 64


def pickup_deadline(order_ready_at, placed_at, prep_minutes):
    """When a partner's goods must be ready for the courier (aware UTC): when the order is due to be
    packed, but never sooner than the partner's own preparation time after the order was placed."""
    return max(order_ready_at, placed_at + timedelta(minutes=max(0, prep_minutes)))


def is_token_shaped(token):
    """Whether ``token`` could be an access token at all (so nonsense never reaches the database)."""
    return bool(token) and len(token) <= TOKEN_MAX_LENGTH and all(
        c.isascii() and (c.isalnum() or c in "-_") for c in token)
