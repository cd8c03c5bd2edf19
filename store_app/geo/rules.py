"""Pure geographic rules: coordinate checks and distances. ``(lat, lon)`` everywhere here."""
import math

EARTH_RADIUS_M = 6_371_008.8


class CoordinateError(ValueError):
    """A latitude/longitude pair that cannot be a place on Earth (or is obviously swapped).

    ``args[0]`` is a code (``not_a_number``, ``not_finite``, ``swapped``, ``lat_range``,
    ``lon_range``) that views turn into a message in the user's language.
    """

    @property
    def code(self):
        return self.args[0]


def parse_point(lat, lon):
    """Two texts or numbers -> ``(lat, lon)`` floats, or ``CoordinateError`` saying what is wrong."""
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError) as exc:
        raise CoordinateError("not_a_number") from exc
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        raise CoordinateError("not_finite")
    if not -90.0 <= lat_f <= 90.0:
        if -90.0 <= lon_f <= 90.0 and -180.0 <= lat_f <= 180.0:
            raise CoordinateError("swapped")
        raise CoordinateError("lat_range")
    if not -180.0 <= lon_f <= 180.0:
        raise CoordinateError("lon_range")
    return lat_f, lon_f


def looks_swapped(point, reference, max_km=50.0):
    """True when ``point`` is far from ``reference`` but its swap is near: a lat/lon mix-up."""
    lat, lon = point
    if not (-90.0 <= lon <= 90.0):
        return False
    return (haversine_m(point, reference) > max_km * 1000
            and haversine_m((lon, lat), reference) <= max_km * 1000)


def haversine_m(a, b):
    """Great-circle distance in metres between two ``(lat, lon)`` points."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def nearest(point, places, max_m=None):
    """The ``(place_id, distance_m)`` nearest to ``point`` among ``(place_id, lat, lon)``.

    Ties go to the smaller id; ``None`` when there are no places or the nearest is beyond ``max_m``.
    """
    best = None
    for place_id, lat, lon in places:
        d = haversine_m(point, (lat, lon))
        if best is None or (d, place_id) < (best[1], best[0]):
            best = (place_id, d)
    if best is None or (max_m is not None and best[1] > max_m):
        return None
    return best


# What a search looks at: a few words, each no longer than a name (more finds nothing anyway).
SEARCH_WORDS, SEARCH_WORD_MAX = 6, 60


def normalise_query(text):
    """Search text as stored in ``Building.search_text``: trimmed, lower case, single spaces."""
    return " ".join((text or "").lower().split())


def search_words(text):
    """The words a search looks for: at most ``SEARCH_WORDS``, each cut to ``SEARCH_WORD_MAX`` characters."""
    return [word[:SEARCH_WORD_MAX] for word in normalise_query(text).split()[:SEARCH_WORDS]]
