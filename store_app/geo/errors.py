"""Errors of the geo domain; views turn them into messages in the user's language."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class GeoError(DomainError):
    """Base class; ``message`` is shown to the user."""

    message = _l("That place could not be used.")


class BuildingNameTaken(GeoError):
    message = _l("A building with this name already exists.")


class ZoneNameTaken(GeoError):
    message = _l("A zone with this name already exists.")


ZONE_MESSAGES = {
    "not_json": _l("This file is not GeoJSON."),
    "not_polygon": _l("The zone must be one polygon (a GeoJSON Polygon, or a Feature with one)."),
    "too_few_points": _l("A zone needs at least three different corners."),
    "bad_coordinate": _l("A corner has an impossible coordinate; GeoJSON lists longitude first, then latitude."),
    "self_intersection": _l("The outline crosses itself near %(lat)s, %(lon)s. "
                            "Move a corner so the edges don't cross."),
    "hole_outside": _l("A hole of the zone lies outside its outline."),
    "nested_holes": _l("A hole of the zone lies inside another hole."),
    "disconnected": _l("The holes cut the zone into separate pieces."),
    "nested_shells": _l("The zone contains another outline."),
    "duplicate_rings": _l("The zone repeats the same outline twice."),
    "not_closed": _l("The outline is not closed."),
    "too_large": _l("This file is too large for a zone outline (1 MB at most)."),
    "invalid": _l("This polygon is not valid: %(detail)s"),
}


def zone_message(exc):
    """The user-language message for a ``zones.ZoneGeometryError``."""
    template = ZONE_MESSAGES.get(exc.code, ZONE_MESSAGES["invalid"])
    params = {"lat": "?", "lon": "?", "detail": exc.code, **exc.params}
    return template % params


COORDINATE_MESSAGES = {
    "not_a_number": _l("Latitude and longitude must be numbers."),
    "not_finite": _l("Latitude and longitude must be real numbers."),
    "swapped": _l("The latitude is out of range: are latitude and longitude swapped?"),
    "lat_range": _l("The latitude must be between -90 and 90."),
    "lon_range": _l("The longitude must be between -180 and 180."),
    "looks_swapped": _l("These coordinates look swapped: give the latitude first, then the longitude."),
    "missing": _l("Give a latitude and a longitude (lat and lon), or a building."),
}


def coordinate_message(exc):
    """The user-language message for a ``rules.CoordinateError``."""
    return COORDINATE_MESSAGES.get(exc.code, COORDINATE_MESSAGES["not_a_number"])
