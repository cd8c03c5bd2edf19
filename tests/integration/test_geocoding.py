"""Geocoders: the gazetteer on a real database, Nominatim through a fake geopy geocoder (no network)."""
import logging

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable
from geopy.location import Location

from store_app import create_app
from store_app.extensions import db
from store_app.geo.geocoding import (
    FallbackGeocoder,
    GazetteerGeocoder,
    NominatimGeocoder,
    Place,
    build_geocoder,
    get_geocoder,
)
from store_app.stores.models import Store

GEOCODING_LOGGER = "store_app.geo.geocoding"
LOTUS = (31.2010, 121.4010)  # where the `community` fixture puts 莲花苑 3号楼
MEILONG = (31.1990, 121.3990)  # and 梅陇新村 1号楼


class FakeGeopyGeocoder:
    """Stands in for geopy's Nominatim: answers from a dict, counts calls, can be told to fail."""

    def __init__(self, answers=None, error=None):
        self.answers = answers or {}
        self.error = error
        self.calls = []

    def geocode(self, query, exactly_one=False, limit=None):
        self.calls.append((query, exactly_one, limit))
        if self.error is not None:
            raise self.error
        found = [Location(address, (lat, lon), {}) for address, lat, lon in self.answers.get(query, [])]
        return found[:limit] if limit else found


def nominatim(fake, **kwargs):
    return NominatimGeocoder(fake, min_delay_s=0, **kwargs)


@pytest.fixture
def store(app_ctx, community):
    """The community's store, loaded in the test's app context."""
    return db.session.get(Store, community["store_id"])


def ids(places):
    return sorted(place.building_id for place in places)


# ---- GazetteerGeocoder -----------------------------------------------------------------------

def test_gazetteer_finds_by_name(store, community):
    lotus, meilong = community["buildings"]
    places = GazetteerGeocoder().geocode(store, "莲花苑")
    assert places == [Place(LOTUS[0], LOTUS[1], "莲花苑 3号楼", "gazetteer", lotus)]
    assert ids(GazetteerGeocoder().geocode(store, "梅陇新村 1号楼")) == [meilong]


def test_gazetteer_finds_by_alias(store, community):
    lotus, meilong = community["buildings"]
    assert ids(GazetteerGeocoder().geocode(store, "Lotus Garden Building 3")) == [lotus]
    assert ids(GazetteerGeocoder().geocode(store, "Meilong Village")) == [meilong]
    assert ids(GazetteerGeocoder().geocode(store, "3号楼")) == [lotus]


def test_gazetteer_is_case_insensitive(store, community):
    lotus, _ = community["buildings"]
    for query in ("lotus garden", "LOTUS GARDEN", "LoTuS gArDeN", "  lotus   garden  "):
        assert ids(GazetteerGeocoder().geocode(store, query)) == [lotus], query


def test_gazetteer_needs_every_word_in_any_order(store, community):
    lotus, meilong = community["buildings"]
    assert ids(GazetteerGeocoder().geocode(store, "garden lotus 3")) == [lotus]
    assert ids(GazetteerGeocoder().geocode(store, "building 1")) == [meilong]
    assert ids(GazetteerGeocoder().geocode(store, "building")) == [lotus, meilong]
    assert GazetteerGeocoder().geocode(store, "lotus meilong") == []
    assert GazetteerGeocoder().geocode(store, "nowhere") == []


def test_gazetteer_treats_like_wildcards_as_text(store):
    assert GazetteerGeocoder().geocode(store, "%") == []
    assert GazetteerGeocoder().geocode(store, "_") == []


def test_gazetteer_respects_limit_and_store(store, community, create_store, create_building):
    assert len(GazetteerGeocoder().geocode(store, "building", limit=1)) == 1
    db.session.rollback()  # end this session's transaction, as a request would, before another one writes
    other_store_id = create_store(name="Other Store")
    create_building(other_store_id, "Lotus Garden Building 3 (other store)")
    assert ids(GazetteerGeocoder().geocode(store, "lotus")) == [community["buildings"][0]]


# ---- NominatimGeocoder -----------------------------------------------------------------------

def test_nominatim_maps_results_to_the_nearest_building(store, community):
    lotus, meilong = community["buildings"]
    fake = FakeGeopyGeocoder({"Lianhua Road 3": [
        ("3 Lianhua Road, Shanghai", 31.2011, 121.4011),  # ~15 m from Lotus
        ("Meilong, Shanghai", 31.1992, 121.3990),  # ~22 m from Meilong
        ("Far away, Shanghai", 31.2500, 121.4500),  # kilometres from both
    ]})
    places = nominatim(fake, max_building_m=300).geocode(store, "Lianhua Road 3")
    assert places == [
        Place(31.2011, 121.4011, "3 Lianhua Road, Shanghai", "nominatim", lotus),
        Place(31.1992, 121.3990, "Meilong, Shanghai", "nominatim", meilong),
        Place(31.2500, 121.4500, "Far away, Shanghai", "nominatim", None),
    ]
    assert fake.calls == [("Lianhua Road 3", False, 10)]


def test_nominatim_building_match_respects_max_distance(store, community):
    lotus, _ = community["buildings"]
    fake = FakeGeopyGeocoder({"q": [("about 111 m north of Lotus", LOTUS[0] + 0.001, LOTUS[1])]})
    assert nominatim(fake, max_building_m=300).geocode(store, "q")[0].building_id == lotus
    assert nominatim(fake, max_building_m=50).geocode(store, "q")[0].building_id is None


def test_nominatim_caches_answers(store):
    fake = FakeGeopyGeocoder({"Lianhua Road 3": [("3 Lianhua Road", 31.2011, 121.4011)]})
    geocoder = nominatim(fake)
    first = geocoder.geocode(store, "Lianhua Road 3")
    second = geocoder.geocode(store, "Lianhua Road 3")
    third = geocoder.geocode(store, "  lianhua   ROAD 3 ")  # the same query once normalised
    assert first == second == third
    assert len(fake.calls) == 1


def test_nominatim_caches_empty_answers(store):
    fake = FakeGeopyGeocoder()
    geocoder = nominatim(fake)
    assert geocoder.geocode(store, "nowhere") == []
    assert geocoder.geocode(store, "nowhere") == []
    assert len(fake.calls) == 1


def test_nominatim_cache_is_bounded(store):
    fake = FakeGeopyGeocoder({"a": [("A", 31.2, 121.4)], "b": [("B", 31.2, 121.4)]})
    geocoder = nominatim(fake, cache_size=1)
    geocoder.geocode(store, "a")
    geocoder.geocode(store, "b")  # evicts "a"
    geocoder.geocode(store, "b")
    geocoder.geocode(store, "a")
    assert [query for query, _, _ in fake.calls] == ["a", "b", "a"]


def test_nominatim_does_not_cache_failures(store):
    fake = FakeGeopyGeocoder({"q": [("Q", 31.2, 121.4)]}, error=GeocoderTimedOut("slow"))
    geocoder = nominatim(fake)
    with pytest.raises(GeocoderTimedOut):
        geocoder.geocode(store, "q")
    fake.error = None
    assert [place.label for place in geocoder.geocode(store, "q")] == ["Q"]
    assert len(fake.calls) == 2


def test_nominatim_limit_is_passed_on(store):
    fake = FakeGeopyGeocoder({"q": [("Q1", 31.2, 121.4), ("Q2", 31.2, 121.4), ("Q3", 31.2, 121.4)]})
    assert [place.label for place in nominatim(fake).geocode(store, "q", limit=2)] == ["Q1", "Q2"]
    assert fake.calls == [("q", False, 2)]


def test_nominatim_cache_does_not_shrink_a_larger_limit(store):
    fake = FakeGeopyGeocoder({"q": [("Q1", 31.2, 121.4), ("Q2", 31.2, 121.4), ("Q3", 31.2, 121.4)]})
    geocoder = nominatim(fake)
    assert len(geocoder.geocode(store, "q", limit=1)) == 1
    assert len(geocoder.geocode(store, "q", limit=10)) == 3


# ---- FallbackGeocoder ------------------------------------------------------------------------

def fallback(fake):
    return FallbackGeocoder(nominatim(fake), GazetteerGeocoder())


def test_fallback_uses_the_primary_when_it_answers(store, community):
    lotus, _ = community["buildings"]
    fake = FakeGeopyGeocoder({"lotus": [("3 Lianhua Road", 31.2011, 121.4011)]})
    places = fallback(fake).geocode(store, "lotus")
    assert [(place.source, place.building_id) for place in places] == [("nominatim", lotus)]


@pytest.mark.parametrize("error", [
    GeocoderTimedOut("Service timed out"),
    GeocoderServiceError("HTTP 500"),
    GeocoderUnavailable("connection refused"),
])
def test_fallback_answers_from_the_gazetteer_and_logs_when_nominatim_fails(store, community, caplog, error):
    lotus, _ = community["buildings"]
    fake = FakeGeopyGeocoder(error=error)
    with caplog.at_level(logging.WARNING, logger=GEOCODING_LOGGER):
        places = fallback(fake).geocode(store, "lotus garden")
    assert len(fake.calls) == 1
    assert [(place.source, place.building_id) for place in places] == [("gazetteer", lotus)]
    warnings = [record for record in caplog.records
                if record.name == GEOCODING_LOGGER and record.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "NominatimGeocoder" in message and "lotus garden" in message and str(error) in message


def test_fallback_when_nominatim_finds_nothing(store, community, caplog):
    lotus, _ = community["buildings"]
    with caplog.at_level(logging.WARNING, logger=GEOCODING_LOGGER):
        places = fallback(FakeGeopyGeocoder()).geocode(store, "3号楼")
    assert [(place.source, place.building_id) for place in places] == [("gazetteer", lotus)]
    assert not [record for record in caplog.records if record.name == GEOCODING_LOGGER]


def test_fallback_when_nominatim_returns_a_bad_point(store, community, caplog):
    lotus, _ = community["buildings"]
    fake = FakeGeopyGeocoder({"lotus": [("broken", float("nan"), 121.4)]})  # parse_point refuses it
    with caplog.at_level(logging.WARNING, logger=GEOCODING_LOGGER):
        places = fallback(fake).geocode(store, "lotus")
    assert [place.building_id for place in places] == [lotus]
    assert any(record.name == GEOCODING_LOGGER for record in caplog.records)


def test_fallback_does_not_swallow_programming_errors(store):
    fake = FakeGeopyGeocoder(error=RuntimeError("bug"))
    with pytest.raises(RuntimeError):
        fallback(fake).geocode(store, "lotus")


# ---- build_geocoder --------------------------------------------------------------------------

CONFIG = {"NOMINATIM_USER_AGENT": "community-store-tests", "NOMINATIM_DOMAIN": "nominatim.invalid",
          "NOMINATIM_TIMEOUT_S": 1, "NOMINATIM_MIN_DELAY_S": 0, "NEAREST_BUILDING_MAX_M": 300}


def test_build_geocoder_defaults_to_the_gazetteer():
    assert type(build_geocoder({})) is GazetteerGeocoder
    assert type(build_geocoder({**CONFIG, "GEOCODER": "gazetteer"})) is GazetteerGeocoder


def test_build_geocoder_wraps_nominatim_in_the_gazetteer_fallback():
    geocoder = build_geocoder({**CONFIG, "GEOCODER": "nominatim"})
    assert type(geocoder) is FallbackGeocoder
    assert type(geocoder.primary) is NominatimGeocoder
    assert type(geocoder.fallback) is GazetteerGeocoder


def test_app_geocoder_follows_config(monkeypatch, tmp_path):
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("GEOCODER", raising=False)
    assert type(get_geocoder(create_app({}))) is GazetteerGeocoder
    assert type(get_geocoder(create_app({"GEOCODER": "nominatim"}))) is FallbackGeocoder
    monkeypatch.setenv("GEOCODER", "nominatim")
    assert type(get_geocoder(create_app({}))) is FallbackGeocoder
