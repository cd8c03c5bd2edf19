"""Geofence speed: which delivery zone covers a point, for many points at once and for one quote.

Two stores: the demo store (2 zones, prepared polygons, bounding-box filter) and a synthetic
chain-sized store with 200 zones (the STRtree candidate grid). Each is measured against a
baseline run in the same process: a plain loop over every zone with unprepared shapely
``covers`` on a fresh Point, best rank first (what one would write without thinking about speed).
The answers are compared with the baseline's before any number is printed.

Targets: at least 1,000,000 points/s vectorised (``ZoneIndex.find_many``) and under 20 µs for
one quote's zone check (``ZoneIndex.find``). Exits 1 if a target is missed or an answer differs.

    .venv/bin/python bench/geofence.py [--points 1000000] [--repeat 3]
"""
import argparse
import math
import platform
import sys
import time
from pathlib import Path

# A script's own folder comes first on sys.path, and bench/dispatch.py would shadow the dispatch package.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]

import numpy as np
import shapely

from store_app.demo.data import STORE
from store_app.demo.zones import ZONES, zone_outline
from store_app.geo.zones import ZoneIndex, ZoneShape, parse_polygon

TARGET_POINTS_PER_S = 1_000_000
TARGET_FIND_US = 20.0
M_PER_DEG = 111_320


def demo_store():
    """The demo's inner and outer zones, exactly as seeded."""
    shapes = [ZoneShape(i + 1, priority, parse_polygon(zone_outline(radii)))
              for i, (_name, _fee, _minimum, priority, radii) in enumerate(ZONES)]
    return "demo", shapes, _box_around(STORE["lat"], STORE["lon"], 2500)


def synthetic_store(count=200, seed=7):
    """``count`` irregular zones (12-24 corners, 300-900 m) scattered over about 12 x 12 km, overlapping."""
    rng = np.random.default_rng(seed)
    lat0, lon0 = STORE["lat"], STORE["lon"]
    cos_lat = math.cos(math.radians(lat0))
    shapes = []
    for zone_id in range(1, count + 1):
        c_lat = lat0 + rng.uniform(-6000, 6000) / M_PER_DEG
        c_lon = lon0 + rng.uniform(-6000, 6000) / (M_PER_DEG * cos_lat)
        corners = int(rng.integers(12, 25))
        radius = rng.uniform(300, 900)
        ring = []
        for k in range(corners):
            angle = 2 * math.pi * k / corners
            r = radius * rng.uniform(0.75, 1.15)
            ring.append([c_lon + r * math.sin(angle) / (M_PER_DEG * cos_lat),
                         c_lat + r * math.cos(angle) / M_PER_DEG])
        ring.append(ring[0])
        polygon = parse_polygon({"type": "Polygon", "coordinates": [ring]})
        shapes.append(ZoneShape(zone_id, int(rng.integers(0, 5)), polygon, enabled=bool(rng.random() > 0.1)))
    return "synthetic", shapes, _box_around(lat0, lon0, 7000)


def _box_around(lat, lon, half_m):
    d_lat = half_m / M_PER_DEG
    d_lon = half_m / (M_PER_DEG * math.cos(math.radians(lat)))
    return lat - d_lat, lat + d_lat, lon - d_lon, lon + d_lon


def baseline_find(shapes_by_rank, lat, lon):
    """The naive check: a new Point, unprepared ``covers`` on every zone in rank order."""
    point = shapely.Point(lon, lat)
    for shape in shapes_by_rank:
        if shape.polygon.covers(point):
            return shape.zone_id
    return -1


def best_of(repeat, function):
    """The fastest of ``repeat`` runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(name, shapes, bounds, n_points, repeat, rng):
    """One store's numbers, checked against the baseline's answers."""
    lat_min, lat_max, lon_min, lon_max = bounds
    lats = rng.uniform(lat_min, lat_max, n_points)
    lons = rng.uniform(lon_min, lon_max, n_points)
    # The baseline tests fresh, unprepared copies so nothing prepared by the index helps it.
    plain = sorted((ZoneShape(s.zone_id, s.priority, shapely.from_wkb(shapely.to_wkb(s.polygon)), s.enabled)
                    for s in shapes), key=lambda s: s.rank)
    index = ZoneIndex(shapes)

    many_s, many = best_of(repeat, lambda: index.find_many(lats, lons))
    sample = max(500, min(20_000, int(2_000_000 / len(shapes) / 10)))
    base_many_s, base_many = best_of(1, lambda: np.array([baseline_find(plain, lats[i], lons[i])
                                                          for i in range(sample)]))
    if not np.array_equal(many[:sample], base_many):
        wrong = int(np.sum(many[:sample] != base_many))
        raise SystemExit(f"{name}: find_many disagrees with the baseline on {wrong} points")

    queries = min(20_000, n_points)
    find_s, found = best_of(repeat, lambda: [index.find(lats[i], lons[i]) for i in range(queries)])
    base_queries = min(queries, sample)
    base_find_s, _ = best_of(1, lambda: [baseline_find(plain, lats[i], lons[i]) for i in range(base_queries)])
    if [f if f is not None else -1 for f in found[:sample]] != many[:min(queries, sample)].tolist():
        raise SystemExit(f"{name}: find disagrees with find_many")
    return {
        "name": name, "zones": len(shapes), "path": "strtree grid" if index.uses_tree else "prepared",
        "inside": float(np.mean(many >= 0)),
        "many_pts_s": n_points / many_s, "base_pts_s": sample / base_many_s,
        "find_us": find_s / queries * 1e6, "base_find_us": base_find_s / base_queries * 1e6,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1_000_000, help="points per vectorised run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the best counts)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(2026)
    print(f"geofence: shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
          f"numpy {np.__version__}, Python {platform.python_version()}; "
          f"{args.points:,} points, best of {args.repeat}")
    print("baseline = a Point per query and unprepared `covers` on every zone, best rank first")
    header = (f"{'store':<10}{'zones':>6}  {'path':<13}{'inside':>7}  {'find_many pts/s':>16}{'baseline':>11}"
              f"{'ratio':>9}  {'find µs':>8}{'baseline':>10}{'ratio':>8}")
    print(header)
    print("-" * len(header))
    ok = True
    for name, shapes, bounds in (demo_store(), synthetic_store()):
        r = measure(name, shapes, bounds, args.points, args.repeat, rng)
        print(f"{r['name']:<10}{r['zones']:>6}  {r['path']:<13}{r['inside']:>7.0%}  {r['many_pts_s']:>16,.0f}"
              f"{r['base_pts_s']:>11,.0f}{r['many_pts_s'] / r['base_pts_s']:>8,.0f}x  {r['find_us']:>8.2f}"
              f"{r['base_find_us']:>10.1f}{r['base_find_us'] / r['find_us']:>7,.0f}x")
        ok &= r["many_pts_s"] >= TARGET_POINTS_PER_S and r["find_us"] < TARGET_FIND_US
    verdict = "met" if ok else "MISSED"
    print(f"targets: >= {TARGET_POINTS_PER_S:,} points/s vectorised and < {TARGET_FIND_US:.0f} µs per find: "
          f"{verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
