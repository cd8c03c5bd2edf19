"""Geocoders: text -> places. The local gazetteer is the default and the fallback.

Nominatim (geopy) is used only when ``GEOCODER = "nominatim"``: behind geopy's RateLimiter (one
request per ``NOMINATIM_MIN_DELAY_S``), a cache and a timeout. Whatever it does wrong, the
resident gets the gazetteer's answer and the failure goes to the log, never to an error page.
"""
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from . import operations, rules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """One answer: a point, a label, where it came from and the building it matches (if any)."""

    lat: float
    lon: float
    label: str
    source: str
    building_id: int | None = None


class GazetteerGeocoder:
    """Looks names and aliases up among the store's own buildings."""

    def geocode(self, store, query, limit=10):
        """Places whose building name or alias contains every word of ``query``."""
        return [Place(b.lat, b.lon, b.name, "gazetteer", b.id)
                for b in operations.list_buildings(store.id, query, limit=limit)]


class NominatimGeocoder:
    """geopy's Nominatim, rate limited, cached and bounded by a timeout.

    ``geocoder`` can be any geopy geocoder (tests pass a fake one); results are matched to the
    nearest gazetteer building within ``max_building_m`` so orders still land on a known door.
    """

    def __init__(self, geocoder, min_delay_s=1.0, cache_size=512, max_building_m=300):
        self._geocode = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_s,
                                    max_retries=0, swallow_exceptions=False)
        self._cache = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._max_building_m = max_building_m

    def geocode(self, store, query, limit=10):
        """At most ``limit`` places for ``query`` near ``store``; raises geopy errors to the caller."""
        key = (store.id, rules.normalise_query(query), limit)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = self._geocode(query, exactly_one=False, limit=limit) or []
        places = []
        for location in found:
            point = rules.parse_point(location.latitude, location.longitude)
            near = operations.nearest_building(store.id, point, self._max_building_m)
            places.append(Place(point[0], point[1], location.address, "nominatim",
                                near[0].id if near else None))
        with self._lock:
            self._cache[key] = places
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return places


class FallbackGeocoder:
    """Tries ``primary``; on any error or an empty answer, answers from ``fallback``."""

    def __init__(self, primary, fallback):
        self.primary = primary
        self.fallback = fallback

    def geocode(self, store, query, limit=10):
        """The primary geocoder's places, or the fallback's when it fails or finds nothing."""
        try:
            places = self.primary.geocode(store, query, limit)
        except (GeopyError, OSError, ValueError) as exc:
            log.warning("geocoder %s failed for %r, using the gazetteer: %s",
                        type(self.primary).__name__, query, exc)
            places = []
        return places or self.fallback.geocode(store, query, limit)


def build_geocoder(config):
    """The geocoder the config asks for; ``nominatim`` is always wrapped in the gazetteer fallback."""
    gazetteer = GazetteerGeocoder()
    if config.get("GEOCODER") != "nominatim":
        return gazetteer
    nominatim = Nominatim(user_agent=config["NOMINATIM_USER_AGENT"], domain=config["NOMINATIM_DOMAIN"],
                          timeout=config["NOMINATIM_TIMEOUT_S"])
    return FallbackGeocoder(
        NominatimGeocoder(nominatim, min_delay_s=config["NOMINATIM_MIN_DELAY_S"],
                          max_building_m=config["NEAREST_BUILDING_MAX_M"]),
        gazetteer)


def init_app(app):
    """Build the configured geocoder once per app, kept in ``app.extensions``."""
    app.extensions["geocoder"] = build_geocoder(app.config)


def get_geocoder(app):
    """The app's geocoder (built by ``init_app``)."""
    return app.extensions["geocoder"]
