"""Errors of points and referrals, each with a message in the user's language and an HTTP status."""
from flask_babel import lazy_gettext as _l

from .errors import GrowthError
from .referral_rules import Refusal


class PointsError(GrowthError):
    message = _l("This could not be done with your points.")
    status = 400


class PointsInsufficient(PointsError):
    message = _l("You don't have enough points for this coupon.")
    status = 409


class RewardNotFound(PointsError):
    message = _l("This coupon is not in the points catalogue.")
    status = 404


class PointsPriceInvalid(PointsError):
    message = _l("Give the price in points as a whole number from 1 to 1,000,000, or leave it empty.")
    field = "points_price"


class InviteError(GrowthError):
    """A problem with the invite code typed at sign-up: shown on that field, the form kept."""

    message = _l("This invite code cannot be used.")
    status = 400
    field = "invite_code"


class InviteCodeUnknown(InviteError):
    message = _l("We don't know this invite code. Check it with your neighbour, or leave the field empty.")


REFUSALS = {
    Refusal.SELF: _l("You cannot use your own invite code."),
    Refusal.EXISTING_PHONE: _l("This phone number already has an account, so it cannot be invited."),
    Refusal.SAME_HOUSEHOLD: _l("You live at the same address as the person who invited you: invitations are for "
                               "new households. Leave the invite code empty to sign up."),
    Refusal.KNOWN_HOUSEHOLD: _l("Someone at your address already shops with us: invitations are for new "
                                "households. Leave the invite code empty to sign up."),
    Refusal.ALREADY_INVITED: _l("You were already invited by someone else."),
}


class InviteRefused(InviteError):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason
        self.message = REFUSALS[reason]
