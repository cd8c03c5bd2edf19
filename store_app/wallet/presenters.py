"""How a ledger entry reads: the app's notes are keys with parameters, translated when shown."""
from flask_babel import gettext as _, lazy_gettext as _l

from ..web.i18n import localized

# note_key -> the sentence; parameters are filled in when shown ("unavailable" names the item).
NOTES = {
    "order_cancelled": _l("Order cancelled"),
    "delivery_failed": _l("Delivery failed"),
    "parcel_storage_fee": _l("Parcel storage fee"),
    "breakfast_day_closed": _l("Breakfast day closed: refund"),
    "breakfast": _l("Breakfast"),
    "breakfast_owed": _l("Breakfast owed from an earlier day"),
    "breakfast_refund": _l("Breakfast removed by the store"),
    "service_booking": _l("Home service booked"),
    "service_refund": _l("Home service refunded"),
    "service_extra": _l("Home service extra"),
    "service_guarantee_refund": _l("Service guarantee: refund"),
    "service_no_show_fee_refund": _l("Service no-show fee refunded"),
}


def entry_note(entry):
    """The entry's note in the reader's language: a keyed note translated, a typed one as typed."""
    key, params = entry.note_key, entry.note_params or {}
    if key == "unavailable":
        return _("Unavailable: %(name)s", name=localized(params, "name"))
    if key in NOTES:
        return str(NOTES[key])
    return entry.note or ""
