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


# ---- jobs: offers, acceptance, progress (services/offers.py, services/progress.py) ----------------

class VendorNotApproved(ServiceError):
    status = 403
    message = _l("Your vendor account is not approved yet: it can take jobs once the store has vetted it.")


class VendorSuspended(ServiceError):
    status = 403
    message = _l("Your vendor account is suspended: it takes no new jobs. You can appeal from your standing page.")


class OfferClosed(ServiceError):
    status = 409
    message = _l("This offer is closed: its time to answer has passed, or the job went to someone else.")


class NoFreeCrew(ServiceError):
    status = 409
    message = _l("None of your crews is free at that time, so the job cannot be yours.")


class NoteRequired(ServiceError):
    status = 400
    message = _l("Write a short note first.")
    field = "note"


class IdCheckRequired(ServiceError):
    status = 409
    message = _l("Record the ID check at the door before starting this job.")


class PhotoRequired(ServiceError):
    status = 400
    message = _l("Add at least one photo of the finished work (JPEG, PNG or WebP).")
    field = "photos"


class PhotoRefused(ServiceError):
    status = 400
    message = _l("This file is not a photo we can keep: send a JPEG, PNG or WebP picture.")
    field = "photos"


class ExtraInvalid(ServiceError):
    status = 400
    message = _l("An extra needs an amount between ¥0.01 and ¥5,000 and a note, while the work is under way "
                 "(at most five per job).")
    field = "amount"
