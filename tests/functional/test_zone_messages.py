"""Every refusal of a zone outline has a message a user can read: the zone pages show it in the
user's language, so these need an app (its translations) in a request context."""
import pytest

from store_app import create_app
from store_app.geo.errors import ZONE_MESSAGES, zone_message
from store_app.geo.zones import ZoneGeometryError, parse_polygon

# A 0.01° square crossed over itself at (31.005, 121.005), in GeoJSON order [lon, lat].
BOW_TIE = {"type": "Polygon",
           "coordinates": [[[121.0, 31.0], [121.01, 31.01], [121.01, 31.0], [121.0, 31.01], [121.0, 31.0]]]}


@pytest.fixture(scope="module")
def request_context():
    """An English request of an app that never opens its database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize("document, expected", [
    (BOW_TIE, "The outline crosses itself near 31.005, 121.005"),
    ({"type": "Point", "coordinates": [1, 2]}, "The zone must be one polygon"),
    ("nope", "This file is not GeoJSON."),
    ({"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.0, 31.0], [121.0, 31.0]]]}, "at least three"),
    ({"type": "Polygon", "coordinates": [[[500, 31.0], [121.01, 31.0], [121.0, 31.01], [500, 31.0]]]},
     "longitude first"),
])
def test_every_refusal_has_a_plain_message(request_context, document, expected):
    with pytest.raises(ZoneGeometryError) as info:
        parse_polygon(document)
    assert expected in str(zone_message(info.value))


def test_an_unknown_shapely_reason_still_reads(request_context):
    message = str(zone_message(ZoneGeometryError("invalid", detail="Something odd[1 2]")))
    assert "Something odd" in message
    assert set(ZONE_MESSAGES) >= {"not_json", "not_polygon", "too_few_points", "bad_coordinate", "self_intersection",
                                  "hole_outside", "too_large", "invalid"}
