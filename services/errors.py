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
