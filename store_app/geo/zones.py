"""Delivery-zone geometry, pure: GeoJSON in, shapely polygons, which zone covers a point.

Shapely works in ``(x=lon, y=lat)``; everything outside this module and ``geo/rules.py`` speaks
``(lat, lon)``. A point exactly on a zone's edge is inside: we use ``covers``, not ``contains``.
"""
import json
import math
import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping, shape
from shapely.validation import explain_validity

# Above this many zones, candidates come from an STRtree instead of testing every polygon.
STRTREE_MIN_ZONES = 8


class ZoneGeometryError(ValueError):
    """A polygon that cannot be a delivery zone. ``code`` and ``params`` make the user's message."""

    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


def _reason_from_shapely(text):
    """``"Self-intersection[121.43 31.18]"`` -> ``("self_intersection", {"lat": .., "lon": ..})``."""
    match = re.match(r"^(.*?)\[([-\d.eE+]+) ([-\d.eE+]+)\]$", text.strip())
    reason, params = (match.group(1) if match else text).strip().lower(), {}
    if match:
        params = {"lat": round(float(match.group(3)), 6), "lon": round(float(match.group(2)), 6)}
    codes = {
        "self-intersection": "self_intersection",
        "ring self-intersection": "self_intersection",
        "too few points": "too_few_points",
        "hole lies outside shell": "hole_outside",
        "nested holes": "nested_holes",
        "interior is disconnected": "disconnected",
        "nested shells": "nested_shells",
        "duplicate rings": "duplicate_rings",
        "invalid coordinate": "bad_coordinate",
        "ring is not closed": "not_closed",
    }
    return codes.get(reason, "invalid"), {**params, "detail": text}


def parse_polygon(document):
    """A GeoJSON Polygon (bare geometry, Feature, or a FeatureCollection of one) -> a valid Polygon.

    Raises ``ZoneGeometryError`` with codes: ``not_json``, ``not_polygon``, ``too_few_points``,
    ``bad_coordinate``, ``self_intersection`` and the other shapely validity reasons.
    """
    if isinstance(document, (str, bytes)):
        try:
            document = json.loads(document)
        except (ValueError, TypeError) as exc:
            raise ZoneGeometryError("not_json") from exc
    if not isinstance(document, dict):
        raise ZoneGeometryError("not_polygon")
    if document.get("type") == "FeatureCollection":
        features = document.get("features") or []
        if len(features) != 1:
            raise ZoneGeometryError("not_polygon")
        document = features[0]
    if document.get("type") == "Feature":
        document = document.get("geometry") or {}
    if document.get("type") != "Polygon" or not isinstance(document.get("coordinates"), list):
        raise ZoneGeometryError("not_polygon")
    rings = document["coordinates"]
    if not rings or not all(isinstance(r, list) for r in rings):
        raise ZoneGeometryError("not_polygon")
    for ring in rings:
        _check_ring(ring)
    try:
        polygon = shape(document)
    except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
        raise ZoneGeometryError("not_polygon") from exc
    if not polygon.is_valid:
        code, params = _reason_from_shapely(explain_validity(polygon))
        raise ZoneGeometryError(code, **params)
    if polygon.area <= 0:
        raise ZoneGeometryError("too_few_points")
    return polygon


def _check_ring(ring):
    points = []
    for position in ring:
        if (not isinstance(position, (list, tuple)) or len(position) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])):
            raise ZoneGeometryError("bad_coordinate")
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise ZoneGeometryError("bad_coordinate", lat=lat, lon=lon)
        points.append((lon, lat))
    if points and points[0] != points[-1]:
        points.append(points[0])
    if len(set(points)) < 3:
        raise ZoneGeometryError("too_few_points")


def polygon_from_latlon(vertices):
    """``[(lat, lon), ...]`` (open or closed ring) -> a validated Polygon."""
    ring = [[lon, lat] for lat, lon in vertices]
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return parse_polygon({"type": "Polygon", "coordinates": [ring]})


def to_geojson(polygon):
    """A Polygon -> a GeoJSON geometry dict (``[lon, lat]`` positions, closed rings)."""
    return mapping(polygon) | {"coordinates": [[list(p) for p in ring] for ring in mapping(polygon)["coordinates"]]}


def vertices_latlon(polygon):
    """The exterior ring as ``[(lat, lon), ...]`` without the closing repeat."""
    return [(y, x) for x, y in list(polygon.exterior.coords)[:-1]]


@dataclass(frozen=True)
class ZoneShape:
    """What the index needs of a zone: its id, ranking and polygon."""

    zone_id: int
    priority: int
    polygon: Polygon


class ZoneIndex:
    """Answers "which zone covers this point?" fast, for one point or millions.

    Polygons are prepared once; with many zones an STRtree narrows the candidates. Overlaps go
    to the highest priority, then the smallest id.
    """

    def __init__(self, zones):
        self.zones = sorted(zones, key=lambda z: (-z.priority, z.zone_id))
        self._polygons = np.array([z.polygon for z in self.zones], dtype=object)
        for polygon in self._polygons:
            shapely.prepare(polygon)
        self._tree = shapely.STRtree(self._polygons) if len(self.zones) >= STRTREE_MIN_ZONES else None

    def __len__(self):
        return len(self.zones)

    def find(self, lat, lon):
        """The id of the winning zone covering ``(lat, lon)``, or None."""
        point = shapely.Point(lon, lat)
        if self._tree is not None:
            candidates = sorted(self._tree.query(point, predicate="intersects"))
        else:
            candidates = range(len(self.zones))
        for i in candidates:  # sorted by rank, so the first hit wins
            if self._polygons[i].covers(point):
                return self.zones[i].zone_id
        return None

    def find_many(self, lats, lons):
        """Vectorised ``find``: arrays of lat and lon -> an int array of zone ids (-1 = outside)."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        result = np.full(len(points), -1, dtype=np.int64)
        unresolved = np.ones(len(points), dtype=bool)
        for i, zone in enumerate(self.zones):  # highest rank first; later zones only fill gaps
            if not unresolved.any():
                break
            hit = np.zeros(len(points), dtype=bool)
            hit[unresolved] = shapely.covers(self._polygons[i], points[unresolved])
            result[hit] = zone.zone_id
            unresolved &= ~hit
        return result
