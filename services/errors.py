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
