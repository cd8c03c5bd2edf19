"""What the resident is told when the store cannot deliver now."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError
from . import rules

REASON_MESSAGES = {
    rules.OUTSIDE_ZONE: _l("Sorry, this address is outside the area we deliver to."),
    rules.ZONE_DISABLED: _l("Delivery to your area is paused right now."),
    rules.STORE_CLOSED: _l("The store is closed right now."),
    rules.ZONE_CLOSED: _l("We don't deliver to your area at this hour."),
    rules.NO_COURIER: _l("No courier is on duty right now."),
    rules.TOO_BUSY: _l("We are very busy: we could not keep our delivery promise right now."),
}


def reason_message(reason):
    """The resident's sentence for a quote's ``reason`` code."""
    return REASON_MESSAGES.get(reason, REASON_MESSAGES[rules.TOO_BUSY])


class ShiftError(DomainError):
    """A shift cannot be started or ended; ``message`` is shown to the courier."""

    message = _l("Your shift could not be changed.")
    status = 409


class ShiftAlreadyOpen(ShiftError):
    message = _l("You are already on shift.")


class NoOpenShift(ShiftError):
    message = _l("You are not on shift.")


class ShiftLengthInvalid(ShiftError):
    message = _l("A shift lasts from 1 to 12 hours.")
    status = 400
