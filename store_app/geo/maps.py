"""Delivery maps drawn as SVG, pure: places in ``(lat, lon)``, a view in SVG units out.

No map tiles: the map shows only what we know (the store, the buildings, the zones, the
resident's point). Every map goes through the one projection of ``store_app/geo/projection.py``
(re-exported here: ``fit``, ``project``, ``unproject``, ``loose_ring``); the editor's JavaScript
inverts it with the same four numbers (``MapView.projection``).

Every map carries the same context (``MapContext``: the community's buildings with their names and
the delivery zones) under its own markers, with a scale bar; ``templates/geo/_map.html`` draws them.
A zone map is framed on the whole area; a route or the dispatch board is framed on its own places,
and the context is cut to that frame.
"""
import math
from dataclasses import dataclass, field

from .map_labels import LABEL_FONT, Label, marker_box, place_labels, text_width
from .projection import (M_PER_DEG_LAT, MAX_HEIGHT, MIN_HEIGHT, MIN_SPAN_M, PAD, WIDTH,  # noqa: F401
                         finite_place, fit, loose_ring, project, scale_bar, unproject)


@dataclass(frozen=True)
class MapZone:
    """A zone as drawn: its outline in SVG units and where to write its name."""

    id: int
    name: str
    points: str           # "x,y x,y ..." for <polygon points>
    label_x: float
    label_y: float
    enabled: bool
    highlighted: bool
    fee_cents: int | None = None
    minimum_cents: int | None = None


@dataclass(frozen=True)
class MapPlace:
    """A point on the map (the store, a building, the resident)."""

    x: float
    y: float
    name: str = ""
    id: int | None = None
    label: Label | None = None   # where its name is written (None: only in its tooltip)


@dataclass(frozen=True)
class MapContext:
    """What every map shows around its own markers: ``buildings`` ``[(id, name, lat, lon)]`` and
    ``zones``, objects with ``id, name, enabled, fee_cents, minimum_cents`` and ``ring``
    (``[(lat, lon)]``). ``geo.operations.load_map_context`` loads a store's."""

    buildings: tuple = ()
    zones: tuple = ()


STORE_RADIUS = 24     # the store's marker, SVG units (templates/geo/_map_parts.html)
BUILDING_RADIUS = 10
ZONE_FONT = 30        # a zone's name, SVG units (the "Delivery map" styles in static/css/base.css)


def _scale_box(height, bar_units):
    """The box the scale bar and its text take in the bottom-left corner."""
    return (16, height - 24 - 14 - LABEL_FONT, 24 + bar_units + 12, height - 14)


def _zone_label_point(ring, projection, width, height):
    """Where a zone's name goes: its top-most vertex inside the frame (None: none is)."""
    inside = [project(projection, lat, lon) for lat, lon in ring]
    inside = [(x, y) for x, y in inside if 0 <= x <= width and 0 <= y <= height]
    return min(inside, key=lambda p: (p[1], p[0])) if inside else None


def draw_zones(projection, width, height, zones, highlight_id=None, edited_ring=None):
    """The zones as drawn (``MapZone``), the highlighted one last (on top); ``edited_ring`` replaces
    the highlighted zone's outline, or is a new zone (id 0) when ``highlight_id`` is None. A zone's
    name sits at its top-most vertex inside the frame (a zone with none is drawn without its name)."""
    def outline(ring):
        return " ".join("%s,%s" % project(projection, lat, lon) for lat, lon in ring)

    drawn = []
    for zone in zones:
        highlighted = zone.id == highlight_id
        ring = edited_ring if highlighted and edited_ring else zone.ring
        if not ring:
            continue
        spot = _zone_label_point(ring, projection, width, height)
        if spot is not None:  # the whole name inside the frame, even for a vertex near its edge
            half = text_width(zone.name, ZONE_FONT) / 2 + 8
            spot = (min(max(spot[0], half), max(width - half, half)), min(spot[1], height - 2 * ZONE_FONT))
        drawn.append(MapZone(zone.id, zone.name if spot else "", outline(ring), *(spot or (0.0, 0.0)),
                             zone.enabled, highlighted, zone.fee_cents, zone.minimum_cents))
    drawn.sort(key=lambda z: z.highlighted)
    if edited_ring and highlight_id is None:
        spot = _zone_label_point(edited_ring, projection, width, height) or (0.0, 0.0)
        drawn.append(MapZone(0, "", outline(edited_ring), *spot, True, True))
    return drawn


def _zone_label_box(zone):
    width = text_width(zone.name, ZONE_FONT)
    top = zone.label_y + 0.3 * ZONE_FONT  # the template writes it 1.3 em below the vertex
    return (zone.label_x - width / 2, top, zone.label_x + width / 2, top + 1.1 * ZONE_FONT)


def draw_buildings(projection, width, height, buildings, taken, focus=(), markers=()):
    """The buildings inside the frame as ``MapPlace``s with their names placed where they fit.

    ``taken`` are boxes already used (the scale bar, zone names); ``markers`` ``[(x, y, radius)]``
    the map's own markers (a building under one is named beside the marker); ``focus`` the points
    that matter on this map (a route's stops): names nearest to them are placed first, then by id."""
    inside = []
    for building_id, name, lat, lon in buildings:
        if not finite_place(lat, lon):
            continue
        x, y = project(projection, lat, lon)
        if 0 <= x <= width and 0 <= y <= height:
            inside.append((building_id, name, x, y))
    taken.extend(marker_box(x, y, r) for x, y, r in markers)

    def clearance(x, y):
        """How far a name must stay from the building's point: past its dot, or past a marker on it."""
        return max([BUILDING_RADIUS] + [r + math.hypot(x - mx, y - my) for mx, my, r in markers
                                        if math.hypot(x - mx, y - my) <= r + BUILDING_RADIUS])

    def priority(item):
        building_id, _name, x, y = item
        near = min((math.hypot(x - fx, y - fy) for fx, fy in focus), default=0.0)
        return (round(near), building_id)

    by_priority = sorted(inside, key=priority)
    for _id, _name, x, y in by_priority:  # every dot is a marker the names must not cover
        taken.append(marker_box(x, y, BUILDING_RADIUS))
    labels = place_labels([(x, y, clearance(x, y), name) for _id, name, x, y in by_priority], taken, width,
                          height)
    placed = {item[0]: label for item, label in zip(by_priority, labels)}
    return [MapPlace(x, y, name=name, id=building_id, label=placed.get(building_id))
            for building_id, name, x, y in inside]


def draw_context(projection, width, height, context, markers=(), focus=(), highlight_id=None, edited_ring=None):
    """The context layers of a map: ``(zones, buildings)`` as drawn, building names kept clear of
    ``markers`` ``[(x, y, radius)]``, the zones' names and the scale bar."""
    context = context or MapContext()
    zones = draw_zones(projection, width, height, context.zones, highlight_id, edited_ring)
    bar_units, _bar_m = scale_bar(projection)
    taken = [_scale_box(height, bar_units)] + [_zone_label_box(z) for z in zones if z.name]
    return zones, draw_buildings(projection, width, height, context.buildings, taken, focus, markers)


@dataclass(frozen=True)
class MapView:
    """Everything the ``geo/_map.html`` macro draws."""

    width: int
    height: int
    projection: dict
    store: MapPlace
    buildings: list = field(default_factory=list)
    zones: list = field(default_factory=list)
    point: MapPlace | None = None
    scale_bar_units: float = 0.0
    scale_bar_m: int = 0

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"


def build_view(store, buildings, zones, point=None, highlight_id=None, edited_ring=None):
    """Lay out a delivery map framed on the whole area: the store, every building and zone.

    ``store`` is ``(lat, lon, name)``; ``buildings`` ``[(id, name, lat, lon)]``; ``zones`` objects
    with ``id, name, enabled, fee_cents, minimum_cents`` and ``ring`` (``[(lat, lon)]``). The zone
    ``highlight_id`` is drawn highlighted; ``edited_ring`` (the one being edited) replaces its
    ring, or is a new zone when ``highlight_id`` is None. ``point`` is ``(lat, lon)`` or None.
    """
    store_lat, store_lon, store_name = store
    places = [(store_lat, store_lon)] + [(lat, lon) for _, _, lat, lon in buildings]
    for zone in zones:
        places += zone.ring
    if edited_ring:
        places += edited_ring
    if point is not None:
        places.append(point)
    projection, width, height = fit(places)
    store_xy = project(projection, store_lat, store_lon)
    point_xy = project(projection, *point) if point is not None else None
    markers = [(*store_xy, STORE_RADIUS)] + ([(point_xy[0], point_xy[1] - 30, 30)] if point_xy else [])
    drawn, placed = draw_context(projection, width, height, MapContext(tuple(buildings), tuple(zones)),
                                 markers=markers, focus=[point_xy] if point_xy else [store_xy],
                                 highlight_id=highlight_id, edited_ring=edited_ring)
    bar_units, bar_m = scale_bar(projection)
    return MapView(
        width=width, height=height, projection=projection,
        store=MapPlace(*store_xy, name=store_name), buildings=placed, zones=drawn,
        point=MapPlace(*point_xy) if point_xy is not None else None,
        scale_bar_units=bar_units, scale_bar_m=bar_m,
    )


# ---- routes: a courier's stops, a resident's delivery ------------------------------------------

@dataclass(frozen=True)
class RouteStop:
    """A numbered stop on a route as drawn."""

    x: float
    y: float
    number: int
    kind: str             # "pickup" or "dropoff"
    label: str = ""


STOP_RADIUS = 26


@dataclass(frozen=True)
class RouteView:
    """Everything the ``geo/_route_map.html`` macro draws: the store, the stops in order joined by
    the route's line, and the courier (``courier`` None: not known or not to be shown)."""

    width: int
    height: int
    projection: dict
    store: MapPlace
    stops: list = field(default_factory=list)
    path: str = ""
    courier: MapPlace | None = None
    scale_bar_units: float = 0.0
    scale_bar_m: int = 0
    zones: list = field(default_factory=list)
    buildings: list = field(default_factory=list)

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"


def route_view(store, stops, courier=None, fit_courier=True, context=None):
    """Lay out a route: ``store`` ``(lat, lon, name)``; ``stops`` ``[(kind, lat, lon, label)]`` in the
    order they are visited; ``courier`` ``(lat, lon)`` or None. The line runs from the courier (or
    the store) through the stops. With ``fit_courier=False`` the map is framed on the store and the
    stops only, so that it stays put while the courier moves (the resident's live map). ``context``
    (a ``MapContext``) is drawn beneath, cut to the frame."""
    store_lat, store_lon, store_name = store
    places = [(store_lat, store_lon)] + [(lat, lon) for _, lat, lon, _ in stops]
    if courier is not None and fit_courier:
        places.append(courier)
    projection, width, height = fit(places)
    drawn = [RouteStop(*project(projection, lat, lon), number=n, kind=kind, label=label)
             for n, (kind, lat, lon, label) in enumerate(stops, start=1)]
    start = place_on(projection, width, height, *courier) if courier is not None else project(
        projection, store_lat, store_lon)
    path = " ".join("%s,%s" % point for point in [start] + [(s.x, s.y) for s in drawn])
    bar_units, bar_m = scale_bar(projection)
    store_xy = project(projection, store_lat, store_lon)
    markers = [(*store_xy, STORE_RADIUS)] + [(s.x, s.y, STOP_RADIUS) for s in drawn]
    if courier is not None:
        markers.append((*start, 30))
    zones, buildings = draw_context(projection, width, height, context, markers=markers,
                                    focus=[(s.x, s.y) for s in drawn] or [store_xy])
    return RouteView(
        zones=zones, buildings=buildings,
        width=width, height=height, projection=projection,
        store=MapPlace(*project(projection, store_lat, store_lon), name=store_name), stops=drawn,
        path=path if drawn else "",
        courier=MapPlace(*start) if courier is not None else None,
        scale_bar_units=bar_units, scale_bar_m=bar_m)


def place_on(projection, width, height, lat, lon):
    """``(lat, lon)`` -> ``(x, y)`` kept inside the map's frame (a point beyond it sits on the edge)."""
    x, y = project(projection, lat, lon)
    return min(max(x, 0.0), float(width)), min(max(y, 0.0), float(height))


# ---- the dispatch board: couriers and drop-offs around the store ---------------------------------

@dataclass(frozen=True)
class BoardMarker:
    """A courier or a drop-off on the dispatch board's map. ``tag`` is the short text drawn in the
    marker (a courier's number on the board); a courier's ``to_x, to_y`` is the next stop it heads
    for (None: nothing to do); ``flagged`` marks a drop-off at risk of being late."""

    x: float
    y: float
    id: int
    label: str = ""
    tag: str = ""
    flagged: bool = False
    to_x: float | None = None
    to_y: float | None = None


@dataclass(frozen=True)
class BoardView:
    """Everything ``templates/dispatch_board/_map.html`` draws."""

    width: int
    height: int
    store: MapPlace
    couriers: list = field(default_factory=list)
    dropoffs: list = field(default_factory=list)
    scale_bar_units: float = 0.0
    scale_bar_m: int = 0
    zones: list = field(default_factory=list)
    buildings: list = field(default_factory=list)

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"


def board_view(store, couriers, dropoffs, context=None):
    """Lay out the dispatch board's map with everything in view: ``store`` ``(lat, lon, name)``;
    ``couriers`` ``[(id, tag, label, lat, lon, next_stop)]``, ``next_stop`` ``(lat, lon)`` or None;
    ``dropoffs`` ``[(id, label, lat, lon, flagged)]``. Places with impossible coordinates are left out.
    ``context`` (a ``MapContext``) is drawn beneath, cut to the frame."""
    store_lat, store_lon, store_name = store
    couriers = [c for c in couriers if finite_place(c[3], c[4])]
    dropoffs = [d for d in dropoffs if finite_place(d[2], d[3])]
    places = [(store_lat, store_lon)] + [(c[3], c[4]) for c in couriers] + [(d[2], d[3]) for d in dropoffs]
    projection, width, height = fit(places)

    def courier(courier_id, tag, label, lat, lon, next_stop):
        to = project(projection, *next_stop) if next_stop is not None and finite_place(*next_stop) else (None, None)
        return BoardMarker(*project(projection, lat, lon), id=courier_id, label=label, tag=tag, to_x=to[0], to_y=to[1])

    bar_units, bar_m = scale_bar(projection)
    store_xy = project(projection, store_lat, store_lon)
    markers = [(*store_xy, STORE_RADIUS)] + [(*project(projection, c[3], c[4]), 40) for c in couriers] + [
        (*project(projection, d[2], d[3]), 20) for d in dropoffs]
    zones, buildings = draw_context(projection, width, height, context, markers=markers,
                                    focus=[(x, y) for x, y, _r in markers])
    return BoardView(
        zones=zones, buildings=buildings,
        width=width, height=height, store=MapPlace(*store_xy, name=store_name),
        couriers=[courier(*c) for c in couriers],
        # At-risk drop-offs are drawn last, on top of the others.
        dropoffs=sorted((BoardMarker(*project(projection, lat, lon), id=task_id, label=label, flagged=flagged)
                         for task_id, label, lat, lon, flagged in dropoffs), key=lambda m: (m.flagged, m.id)),
        scale_bar_units=bar_units, scale_bar_m=bar_m)
