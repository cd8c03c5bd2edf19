"""What residents, vendors and staff are told when a marketplace step cannot happen. ``status`` is the
HTTP answer; each part of the marketplace adds its own errors under ``ServiceError`` here."""
from flask_babel import lazy_gettext as _l

from store_app.errors import DomainError


class ServiceError(DomainError):
    message = _l("This service step could not be done.")


class NotFound(ServiceError):
    status = 404
    message = _l("This was not found.")


class TransitionNotAllowed(ServiceError):
    """A booking asked to move to a status its current one cannot reach."""

    status = 409

    def __init__(self, current, wanted):
        super().__init__(current, wanted)
        self.current, self.wanted = current, wanted
        self.message = _l("This booking cannot do that now: it has moved on. Reload to see where it is.")


class ChangedMeanwhile(ServiceError):
    """A conditional UPDATE matched nothing: someone else moved the booking first."""

    status = 409
    message = _l("Someone else changed this booking a moment ago. Reload to see where it is.")


# ---- money, the guarantee, reviews and standing ------------------------------------------------

class FieldError(ServiceError):
    """Bad input for one form field (``field``): the form comes back with the message on it."""

    status = 400

    def __init__(self, field, message):
        super().__init__(field, message)
        self.field, self.message = field, message


class NothingToPay(ServiceError):
    status = 409
    message = _l("Nothing to pay out: the balance is not above the reserve.")


class NotReviewable(ServiceError):
    status = 409
    message = _l("Only a completed job can be reviewed, once.")


class AlreadyAnswered(ServiceError):
    status = 409
    message = _l("This was answered already. Reload to see the answer.")


class NotCovered(ServiceError):
    status = 409
    message = _l("This job is not covered by the store's guarantee.")


class CashNotCovered(NotCovered):
    message = _l("Jobs paid in cash to the vendor are not covered by the store's guarantee.")


class GuaranteeWindowClosed(NotCovered):
    message = _l("The guarantee window for this job has closed.")


class AlreadyClaimed(ServiceError):
    status = 409
    message = _l("A complaint about this job was filed already.")


class AlreadyDecided(ServiceError):
    status = 409
    message = _l("Someone decided this already. Reload to see the decision.")


class SlotJustTaken(ServiceError):
    status = 409
    message = _l("That time was just taken for every crew of this vendor. Choose another time.")


class NotDisputable(ServiceError):
    status = 409
    message = _l("This cannot be disputed now.")


class NotSuspended(ServiceError):
    status = 409
    message = _l("Only a suspended vendor can appeal or be reinstated.")


class AppealOpen(ServiceError):
    status = 409
    message = _l("Your appeal is waiting for staff already.")
