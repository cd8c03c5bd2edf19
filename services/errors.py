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


# ---- vendors: applying, vetting, crews, offerings, hours (services.vetting, vendor_setup...) ----------

class VendorError(ServiceError):
    """A step of a vendor's application or set-up that the rules refuse; ``field`` names the form field."""


class IdNumberRefused(VendorError):
    field = "id_number"

    def __init__(self, kind):
        super().__init__(kind)
        company = _l("This is not a valid unified social credit code: check its 18 characters.")
        person = _l("This is not a valid resident ID number: check its 18 characters.")
        self.message = company if kind == "company" else person


class ChoiceRefused(VendorError):
    """A category, zone or crew that is not one of those offered (a stale page or a forged form)."""

    def __init__(self, field, message):
        super().__init__(field)
        self.field, self.message = field, message


class DocumentRefused(VendorError):
    """An uploaded document that is not a PDF, JPEG or PNG, is empty, or is too large."""

    status = 400

    def __init__(self, field, code, max_mb=5):
        super().__init__(field, code)
        self.field = field
        self.message = {
            "empty": _l("This file is empty."),
            "missing": _l("Add this document: staff need it to check your application."),
            "too_large": _l("This file is too large: at most %(mb)d MB.", mb=max_mb),
            "type": _l("Send a PDF, JPEG or PNG file."),
            "broken": _l("This picture could not be read. Take it again, or send a PDF."),
            "too_many_pixels": _l("This picture is far too large. Send a smaller one."),
        }.get(code, _l("Send a PDF, JPEG or PNG file."))


class AlreadyApplied(VendorError):
    status = 409
    message = _l("This account has applied already: see your application's state on your page.")


class VettingChanged(VendorError):
    """Staff acted on an application that someone else decided a moment before (or that is not waiting)."""

    status = 409
    message = _l("This application is not waiting for a decision any more: someone decided it meanwhile. Reload.")


class NoteMissing(VendorError):
    field = "note"
    message = _l("Say what is missing, or why: the vendor reads it.")


class NotApproved(VendorError):
    status = 403
    message = _l("Only an approved vendor in good standing can do this.")


class NotVendorOwner(VendorError):
    status = 403
    message = _l("Only the vendor's owner can do this; crew members cannot.")


class LastCrew(VendorError):
    status = 409
    message = _l("A vendor needs at least one working crew: add another before you stop this one.")


class CrewsInUse(VendorError):
    status = 409

    def __init__(self, needed):
        super().__init__(needed)
        self.message = _l("Your weekly hours count on %(n)d crews. Lower them first.", n=needed)


class HoursRefused(VendorError):
    def __init__(self, field, message):
        super().__init__(field)
        self.field, self.message = field, message


class PriceRefused(VendorError):
    field = "price"
    message = _l("Give the price in yuan, more than zero, e.g. 120 or 99.50.")
class SlotTaken(ServiceError):
    """The slot went to someone else (the no-double-booking constraint refused it): ``next_slots`` are
    the nearest free ones to offer instead."""

    status = 409
    message = _l("Sorry, this time was just taken. Here are the next free times.")

    def __init__(self, next_slots=()):
        super().__init__()
        self.next_slots = list(next_slots)


class HoldLapsed(SlotTaken):
    message = _l("Your 5 minutes to confirm ran out and the time was released. Pick a time again.")


class NoticeTooShort(ServiceError):
    status = 409
    message = _l("This is too close to the start time to do here. Call the store if it is urgent.")


class RescheduleInFeeWindow(ServiceError):
    status = 409
    message = _l("Inside the cancellation fee window a booking cannot be moved. You may keep it, or cancel it "
                 "and pay the fee.")


class NotCancellable(ServiceError):
    status = 409
    message = _l("This booking can no longer be cancelled here: the crew is already at the door or the job is over.")


class NotReschedulable(ServiceError):
    status = 409
    message = _l("This booking cannot be moved to another time now.")


class AddressRequired(ServiceError):
    status = 400
    message = _l("Choose one of your saved addresses.")


class AddressNotVerified(ServiceError):
    status = 409
    message = _l("A lockout can only be booked for an address verified on your account: one we have delivered "
                 "an order to, or one the store has checked. Ask at the counter.")


class CashNotAccepted(ServiceError):
    status = 400
    message = _l("This vendor does not take cash. Pay from your wallet.")


class SlotUnavailable(ServiceError):
    """The chosen start is not one of the offering's bookable slots (not a slot, past, too soon)."""

    status = 409
    message = _l("This time cannot be booked. Choose one of the times shown.")


class WalletShort(ServiceError):
    status = 409
    message = _l("Your wallet balance is not enough for this booking. Top up at the counter, or pay in cash on "
                 "site if the vendor takes cash.")
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
