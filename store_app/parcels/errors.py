"""What staff and residents are told when a parcel step cannot happen. ``status`` is the HTTP answer."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class ParcelError(DomainError):
    message = _l("This parcel step could not be done.")


class TrackingInvalid(ParcelError):
    field = "tracking_number"
    message = _l("A tracking number is 6 to 40 letters, digits or dashes.")


class DuplicateTracking(ParcelError):
    status = 409
    field = "tracking_number"
    message = _l("This tracking number is already checked in here (and has not gone back to the carrier).")


class CarrierMissing(ParcelError):
    field = "carrier"
    message = _l("Choose the carrier.")


class CarrierNameTooLong(ParcelError):
    field = "names"

    def __init__(self, *, name, max):  # noqa: A002
        super().__init__(name, max)
        self.message = _l("The carrier name %(name)s… is too long: at most %(max)d characters.", name=name, max=max)


class TextTooLong(ParcelError):
    def __init__(self, field, max):  # noqa: A002
        super().__init__(field, max)
        self.field = field
        self.message = _l("This text is too long: at most %(max)d characters.", max=max)


class PhoneInvalid(ParcelError):
    field = "recipient_phone"
    message = _l("Enter the recipient's mobile number, e.g. 139 0013 9000.")


class SizeInvalid(ParcelError):
    field = "size"
    message = _l("Choose small, medium or large.")


class ShelvesFull(ParcelError):
    status = 409
    field = "slot"
    message = _l("No shelf has room for a parcel this size. Hand some parcels back or add a shelf.")


class SlotInvalid(ParcelError):
    field = "slot"
    message = _l("There is no such shelf and tier, or it has no room for this parcel.")


class ParcelNotFound(ParcelError):
    status = 404
    message = _l("There is no such parcel here.")


class CodeUnknown(ParcelError):
    status = 404
    field = "code"
    message = _l("No parcel is waiting with this code. Check the six digits with the resident.")


class CodeWrong(ParcelError):
    field = "code"

    @property
    def message(self):
        from flask_babel import ngettext
        left = self.params.get("tries_left", 0)
        return ngettext("Wrong code for this parcel. %(num)d try left.",
                        "Wrong code for this parcel. %(num)d tries left.", left)


class CodeLocked(ParcelError):
    status = 423
    field = "code"
    message = _l("This parcel's code is locked after 5 wrong tries. Re-issue a code: the resident gets the new one.")


class AlreadyHandedOver(ParcelError):
    status = 409
    message = _l("Someone has just handed this parcel over (or it is no longer on the shelf).")


class NothingChosen(ParcelError):
    message = _l("Tick the parcels you are handing over.")


class FeeUnpaid(ParcelError):
    status = 409
    field = "payment"
    message = _l("The wallet does not cover the storage fee: take cash instead.")


class ProxyInvalid(ParcelError):
    field = "proxy_phone"
    message = _l("Enter the mobile number of the person who will collect, not your own.")


class NotYours(ParcelError):
    status = 404
    message = _l("There is no such parcel here.")


class DoorDeliveryInvalid(ParcelError):
    status = 409
    message = _l("These parcels can no longer be brought to your door (collected, or not yours).")


class RemindersOutOfOrder(ParcelError):
    field = "second_reminder_h"
    message = _l("The second reminder must come later than the first.")


class ReturnBeforeReminders(ParcelError):
    field = "return_days"
    message = _l("Parcels may go back to the carrier only after the second reminder.")
