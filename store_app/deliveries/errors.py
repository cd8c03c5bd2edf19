"""What the resident is told when the store cannot deliver now."""
from flask_babel import lazy_gettext as _l

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


class ShiftError(Exception):
    """A shift cannot be started or ended; ``message`` is shown to the courier."""

    message = _l("Your shift could not be changed.")


class ShiftAlreadyOpen(ShiftError):
    message = _l("You are already on shift.")


class NoOpenShift(ShiftError):
    message = _l("You are not on shift.")


class ShiftLengthInvalid(ShiftError):
    message = _l("A shift lasts from 1 to 12 hours.")


class DeliveryError(Exception):
    """A delivery step that cannot be taken. ``status`` is the HTTP status a view answers with."""

    message = _l("This delivery step could not be completed.")
    status = 400


class TaskNotFound(DeliveryError):
    message = _l("We could not find that delivery.")
    status = 404


class TaskConflict(DeliveryError):
    message = _l("This delivery has already moved on. The page has been refreshed.")
    status = 409


class AlreadyPickedUp(DeliveryError):
    message = _l("This order has already been picked up: it can no longer go to another courier.")
    status = 409


class CourierNotFound(DeliveryError):
    message = _l("Choose a courier of this store.")


class CourierOffShift(DeliveryError):
    message = _l("This courier is not on shift: choose a courier who is.")
    status = 409


class CourierFull(DeliveryError):
    message = _l("This courier has no room for another delivery: choose another courier.")
    status = 409


class SameCourier(DeliveryError):
    message = _l("This delivery is already with that courier.")


class TaskNotReady(DeliveryError):
    message = _l("This order is still being packed: it can go to a courier once it is ready.")
    status = 409


class AssignmentChanged(DeliveryError):
    message = _l("The dispatcher or someone else changed this delivery first. The board has been refreshed.")
    status = 409


class CodeFormatInvalid(DeliveryError):
    message = _l("Enter the 4-digit code the resident shows you.")


class FailureReasonInvalid(DeliveryError):
    def __init__(self, problem):
        super().__init__(problem)
        self.problem = problem
        self.message = (_l("Please say what happened (at most 150 characters).") if problem == "text"
                        else _l("Choose why the delivery failed."))
