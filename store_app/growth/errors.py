"""Growth errors: what a resident or staff member is told when a coupon, a campaign, points or a
referral step cannot happen. ``status`` is the HTTP answer; every part of growth adds its own errors
under ``GrowthError`` here (coupons, campaigns, points, referrals, reviews)."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class GrowthError(DomainError):
    message = _l("This could not be done. Please try again.")
    status = 400


class GrowthNotFound(GrowthError):
    """A coupon, copy or campaign that does not exist or is someone else's (both answer 404)."""

    status = 404
    message = _l("This was not found.")


# ---- coupons (growth.coupons) -------------------------------------------------------------------

class CouponError(GrowthError):
    message = _l("This coupon cannot be used.")


class CouponNotFound(CouponError):
    status = 404
    message = _l("We could not find that coupon.")


class CouponNotAvailable(CouponError):
    """Outside its window, paused, not claimable, or not for this resident (e.g. new-user only)."""

    status = 409
    message = _l("This coupon is not available to you now.")


class CouponExhausted(CouponError):
    """Every copy of the coupon (its total limit) has been given out."""

    status = 409
    message = _l("All copies of this coupon have been given out.")


class CouponLimitReached(CouponError):
    """The resident already holds as many copies as the per-user limit allows."""

    status = 409
    message = _l("You already have as many of this coupon as allowed.")


class CodeRejected(CouponError):
    """A typed code that gives nothing. Unknown, expired, used up and over the limit all answer
    with this one message, so trying codes teaches nothing."""

    status = 400
    field = "code"
    message = _l("This code cannot be used. Check it and try again.")


class CouponNotApplicable(CouponError):
    """A chosen copy that is not the resident's, not available, or does not fit the basket."""

    status = 409
    field = "coupon"
    message = _l("This coupon cannot be used on this order. Choose another or none.")


class CouponChanged(CouponError):
    """A copy taken by another checkout meanwhile (or a campaign that ran out of budget)."""

    status = 409
    field = "coupon"
    message = _l("This coupon was just used on another order. Choose another or none.")


class CouponNotRestorable(CouponError):
    status = 409
    message = _l("This coupon cannot be given back: it was not used on this purchase.")
