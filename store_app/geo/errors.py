"""Errors of the geo domain; views turn them into messages in the user's language."""
from flask_babel import lazy_gettext as _l


class GeoError(Exception):
    """Base class; ``message`` is shown to the user."""

    message = _l("That place could not be used.")


class BuildingNameTaken(GeoError):
    message = _l("A building with this name already exists.")


COORDINATE_MESSAGES = {
    "not_a_number": _l("Latitude and longitude must be numbers."),
    "not_finite": _l("Latitude and longitude must be real numbers."),
    "swapped": _l("The latitude is out of range: are latitude and longitude swapped?"),
    "lat_range": _l("The latitude must be between -90 and 90."),
    "lon_range": _l("The longitude must be between -180 and 180."),
}


def coordinate_message(exc):
    """The user-language message for a ``rules.CoordinateError``."""
    return COORDINATE_MESSAGES.get(exc.code, COORDINATE_MESSAGES["not_a_number"])
