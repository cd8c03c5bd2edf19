"""The one projection every server-drawn map uses, pure: ``(lat, lon)`` to SVG units and back.

Equirectangular with longitude scaled by cos(latitude), which is exact enough over a few
kilometres:

    x = (lon - lon_min) * kx          kx = ky * cos(lat_mid)
    y = (lat_max - lat) * ky          (north is up)

The zone editor's and the route map's JavaScript invert it with the same four numbers (the
``projection`` dict). Also here: a scale bar's round length, and GeoJSON outlines read loosely.
"""
import json
import math

WIDTH = 1000          # SVG units across; the height follows the area's shape
MIN_HEIGHT = 420
MAX_HEIGHT = 1400
PAD = 0.12            # margin around the drawn area, as a share of its size
MIN_SPAN_M = 400      # never zoom in closer than this, so a lone store still has context
M_PER_DEG_LAT = 111_320


def finite_place(lat, lon):
    """True for a real point on Earth: finite numbers, latitude within ±90, longitude within ±180."""
    return (isinstance(lat, (int, float)) and isinstance(lon, (int, float))
            and math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180)


def fit(places):
    """The projection that fits ``[(lat, lon), ...]`` (impossible coordinates ignored) with a margin.

    Returns ``(projection dict, width, height)``.
    """
    good = [(lat, lon) for lat, lon in places if finite_place(lat, lon)] or [(0.0, 0.0)]
    lats = [p[0] for p in good]
    lons = [p[1] for p in good]
    lat_mid = (min(lats) + max(lats)) / 2
    cos_lat = max(math.cos(math.radians(lat_mid)), 0.01)
    span_lat_m = max((max(lats) - min(lats)) * M_PER_DEG_LAT, MIN_SPAN_M)
    span_lon_m = max((max(lons) - min(lons)) * M_PER_DEG_LAT * cos_lat, MIN_SPAN_M)
    # Grow both spans by the margin, then derive the degrees they cover around the centre.
    span_lat_m *= 1 + 2 * PAD
    span_lon_m *= 1 + 2 * PAD
    ky = WIDTH / (span_lon_m / M_PER_DEG_LAT)  # SVG units per degree of latitude
    height = span_lat_m / M_PER_DEG_LAT * ky
    if height < MIN_HEIGHT:
        height = MIN_HEIGHT
    elif height > MAX_HEIGHT:  # a tall area: fit the height instead, centred across
        ky = MAX_HEIGHT / (span_lat_m / M_PER_DEG_LAT)
        height = MAX_HEIGHT
    kx = ky * cos_lat
    centre_lat = (min(lats) + max(lats)) / 2
    centre_lon = (min(lons) + max(lons)) / 2
    projection = {
        "lon_min": centre_lon - WIDTH / 2 / kx,
        "lat_max": centre_lat + height / 2 / ky,
        "kx": kx,
        "ky": ky,
    }
    return projection, WIDTH, int(round(height))


def project(projection, lat, lon):
    """``(lat, lon)`` -> ``(x, y)`` in SVG units, rounded to 0.1."""
    x = (lon - projection["lon_min"]) * projection["kx"]
    y = (projection["lat_max"] - lat) * projection["ky"]
    return round(x, 1), round(y, 1)


def unproject(projection, x, y):
    """``(x, y)`` in SVG units -> ``(lat, lon)``; the inverse of ``project`` (before rounding)."""
    return projection["lat_max"] - y / projection["ky"], x / projection["kx"] + projection["lon_min"]


def scale_bar(projection):
    """A round distance (m) about a fifth of the map wide, and its length in SVG units."""
    units_per_m = projection["ky"] / M_PER_DEG_LAT
    target_m = WIDTH / 5 / units_per_m
    nice = 10 ** math.floor(math.log10(target_m))
    for step in (1, 2, 5, 10):
        if nice * step >= target_m:
            nice *= step
            break
    return round(nice * units_per_m, 1), int(nice)


def loose_ring(text):
    """The outer ring of a GeoJSON Polygon text as ``[(lat, lon), ...]`` without validating it,
    so a refused polygon can still be drawn for the user to fix. None if there is no such ring."""
    try:
        document = json.loads(text) if isinstance(text, (str, bytes)) else text
        if document.get("type") == "FeatureCollection":
            document = document["features"][0]
        if document.get("type") == "Feature":
            document = document["geometry"]
        if document.get("type") != "Polygon":
            return None
        ring = [(float(p[1]), float(p[0])) for p in document["coordinates"][0]]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    ring = [p for p in ring if finite_place(*p)]
    return ring or None
