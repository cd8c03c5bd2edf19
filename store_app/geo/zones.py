"""Delivery-zone geometry, pure: GeoJSON in, shapely polygons, which zone covers a point.

Shapely works in ``(x=lon, y=lat)``; everything outside this module and ``geo/rules.py`` speaks
``(lat, lon)``. A point exactly on a zone's edge is inside: we use ``covers``, not ``contains``.
"""
import json
import math
import re
import threading
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
        except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: nested thousands deep
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


def square_around(lat, lon, half_side_m):
    """A square GeoJSON Polygon centred on ``(lat, lon)``: a starting outline for a new zone."""
    d_lat = half_side_m / 111_320
    d_lon = half_side_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    ring = [[round(lon + sx * d_lon, 6), round(lat + sy * d_lat, 6)]
            for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1))]
    return {"type": "Polygon", "coordinates": [ring]}


def to_geojson(polygon):
    """A Polygon -> a GeoJSON geometry dict (``[lon, lat]`` positions, closed rings)."""
    rings = mapping(polygon)["coordinates"]
    return mapping(polygon) | {"coordinates": [[list(p) for p in ring] for ring in rings]}


def vertices_latlon(polygon):
    """The exterior ring as ``[(lat, lon), ...]`` without the closing repeat."""
    return [(y, x) for x, y in list(polygon.exterior.coords)[:-1]]


@dataclass(frozen=True)
class ZoneShape:
    """What the index needs of a zone: its id, ranking and polygon.

    A disabled zone still answers "which zone is this?" (so the resident hears that delivery there
    is paused), but only where no enabled zone covers the point.
    """

    zone_id: int
    priority: int
    polygon: Polygon
    enabled: bool = True

    @property
    def rank(self):
        """Sort key: enabled first, then the highest priority, then the smallest id."""
        return (not self.enabled, -self.priority, self.zone_id)


class ZoneIndex:
    """Answers "which zone covers this point?" fast, for one point or millions.

    Polygons are prepared once and tested with ``intersects_xy`` (for a point, the same as
    ``covers``: an edge or a vertex counts as inside) so no Point object is built per query.
    With ``STRTREE_MIN_ZONES`` or more zones an STRtree over the polygons fills a lookup grid
    of candidate zones per cell; a query then tests only its cell's candidates. Overlaps go to
    the best ``ZoneShape.rank``. Safe to share between threads (see ``_lock``).
    """

    def __init__(self, zones):
        self.zones = sorted(zones, key=lambda z: z.rank)
        self._ids = np.array([z.zone_id for z in self.zones], dtype=np.int64)
        self._polygons = np.array([z.polygon for z in self.zones], dtype=object)
        self._bounds = [tuple(p.bounds) for p in self._polygons]  # (min_lon, min_lat, max_lon, max_lat)
        shapely.prepare(self._polygons)
        for polygon in self._polygons:
            # Build GEOS's lazy point locator now: prepared geometries are not safe to initialise
            # from two threads at once (libgeos/geos#825); queries also take ``_lock``.
            shapely.intersects_xy(polygon, *polygon.exterior.coords[0][:2])
        self._lock = threading.Lock()
        self._tree = None
        self._grid = None
        if len(self.zones) >= STRTREE_MIN_ZONES:
            self._tree = shapely.STRtree(self._polygons)
            self._grid = _CandidateGrid(self._tree, self._polygons)

    def __len__(self):
        return len(self.zones)

    @property
    def uses_tree(self):
        """True when candidates come from the spatial index rather than every zone."""
        return self._tree is not None

    def find(self, lat, lon):
        """The id of the winning zone covering ``(lat, lon)``, or None."""
        candidates = self._grid.candidates(lon, lat) if self._grid is not None else range(len(self.zones))
        bounds, polygons = self._bounds, self._polygons
        with self._lock:
            for i in candidates:  # in rank order, so the first hit wins
                min_x, min_y, max_x, max_y = bounds[i]
                if (min_x <= lon <= max_x and min_y <= lat <= max_y
                        and shapely.intersects_xy(polygons[i], lon, lat)):
                    return self.zones[i].zone_id
        return None

    def find_many(self, lats, lons):
        """Vectorised ``find``: arrays of lat and lon -> an int64 array of zone ids (-1 = outside)."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        result = np.full(lats.shape, -1, dtype=np.int64)
        unresolved = np.ones(lats.shape, dtype=bool)
        if self._grid is not None:
            candidates_of = self._grid.batch(lons, lats)
        else:
            candidates_of = _BoundsFilter(lons, lats)
        with self._lock:
            for i in range(len(self.zones)):  # rank order: later zones only fill what is left
                idx = candidates_of(i, self._bounds[i])
                idx = idx[unresolved[idx]]
                if not len(idx):
                    continue
                hit = idx[shapely.intersects_xy(self._polygons[i], lons[idx], lats[idx])]
                result[hit] = self._ids[i]
                unresolved[hit] = False
        return result


class _BoundsFilter:
    """Few zones: a zone's candidates are the points inside its bounding box."""

    def __init__(self, lons, lats):
        self.lons, self.lats = lons, lats

    def __call__(self, _rank, bounds):
        min_x, min_y, max_x, max_y = bounds
        return np.flatnonzero((self.lons >= min_x) & (self.lons <= max_x)
                              & (self.lats >= min_y) & (self.lats <= max_y))


class _CandidateGrid:
    """A regular grid over all zones; each cell lists (in rank order) the zones whose bounding
    box touches it, found once with the STRtree. Looking up a cell is arithmetic, so a query
    never has to become a shapely Point (building one costs more than the test itself)."""

    MAX_SIDE = 256

    def __init__(self, tree, polygons):
        min_x, min_y, max_x, max_y = shapely.total_bounds(polygons)
        side = int(min(self.MAX_SIDE, max(4, 4 * math.ceil(math.sqrt(len(polygons))))))
        self.nx = self.ny = side
        self.min_x, self.min_y, self.max_x, self.max_y = min_x, min_y, max_x, max_y
        self.cw = (max_x - min_x) / side or 1e-9
        self.ch = (max_y - min_y) / side or 1e-9
        ix, iy = np.meshgrid(np.arange(side), np.arange(side))
        ix, iy = ix.ravel(), iy.ravel()
        # Cells a hair larger than the grid step: a point that rounds into the next cell still
        # finds every zone whose box touches it.
        pad_x, pad_y = self.cw * 1e-6, self.ch * 1e-6
        boxes = shapely.box(min_x + ix * self.cw - pad_x, min_y + iy * self.ch - pad_y,
                            min_x + (ix + 1) * self.cw + pad_x, min_y + (iy + 1) * self.ch + pad_y)
        cell_idx, zone_idx = tree.query(boxes)
        order = np.lexsort((zone_idx, cell_idx))
        cell_idx, zone_idx = cell_idx[order], zone_idx[order]
        starts = np.searchsorted(cell_idx, np.arange(side * side + 1))
        self.cells = [tuple(int(z) for z in zone_idx[starts[c]:starts[c + 1]]) for c in range(side * side)]
        # The cells of each zone, for the batch path.
        self.zone_cells = [[] for _ in range(len(polygons))]
        for cell, zone in zip(cell_idx.tolist(), zone_idx.tolist()):
            self.zone_cells[zone].append(cell)

    def cell_of(self, lon, lat):
        """The cell index of one point, or -1 outside the grid."""
        if not (self.min_x <= lon <= self.max_x and self.min_y <= lat <= self.max_y):
            return -1
        ix = min(int((lon - self.min_x) / self.cw), self.nx - 1)
        iy = min(int((lat - self.min_y) / self.ch), self.ny - 1)
        return iy * self.nx + ix

    def candidates(self, lon, lat):
        """Zone ranks to test for one point (none outside the grid, or for NaN)."""
        cell = self.cell_of(lon, lat)
        return self.cells[cell] if cell >= 0 else ()

    def batch(self, lons, lats):
        """For many points: a function ``(rank, bounds) -> point indices`` in the zone's cells."""
        inside = ((lons >= self.min_x) & (lons <= self.max_x) & (lats >= self.min_y) & (lats <= self.max_y))
        points = np.flatnonzero(inside)
        ix = np.minimum(((lons[points] - self.min_x) / self.cw).astype(np.int64), self.nx - 1)
        iy = np.minimum(((lats[points] - self.min_y) / self.ch).astype(np.int64), self.ny - 1)
        # At most 256 x 256 cells: 16-bit keys, which numpy sorts stably with a radix sort.
        cells = (iy * self.nx + ix).astype(np.uint16)
        order = np.argsort(cells, kind="stable")
        by_cell = points[order]
        starts = np.searchsorted(cells[order], np.arange(self.nx * self.ny + 1))

        def candidates_of(rank, _bounds):
            parts = [by_cell[starts[c]:starts[c + 1]] for c in self.zone_cells[rank]]
            return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        return candidates_of
