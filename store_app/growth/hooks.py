"""Growth's handlers on the moments of the parts below and beside it, registered once at app creation:
a completed purchase earns points, a refund takes them (and a referral's rewards) back, a new
resident may arrive with an invite code (accounts' registration hook: accounts may not import growth)."""
from ..accounts import operations as accounts
from . import points, purchases, referrals


def register_handlers():
    """Register points and referrals with ``purchases.on`` and ``accounts.operations.on_registered``
    (each registry keeps a handler once, so calling this again changes nothing)."""
    purchases.on("completed", points.award_for_purchase)
    purchases.on("refunded", points.reverse_for_refund)
    purchases.on("refunded", referrals.on_refunded)
    accounts.on_registered(referrals.on_registered)
