"""Bundling (pure): the incremental, vectorised ``merge_where_short`` makes exactly the merges of the plain
rule it implements: at every step, re-price every (host, guest) pair and make the best merge."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.bundling import MIN_GAIN, bundle_cost, make_bundle, merge_where_short, singles
from dispatch.model import Params, Point, Task

# ---- the reference: the rule written plainly, every pair re-priced at every merge step ----------


def reference_merge_where_short(bundles, pickup_at, now, max_size_units, courier_value, params):
    """What ``merge_where_short`` promises, in the most direct form (cubic: for small snapshots only)."""
    pickups = [p if p is not None else max(b.ready_at_min, now + params.courier_horizon_min)
               for b, p in zip(bundles, pickup_at)]
    alone = {b.tasks[0].id: p + b.drop_offsets_min[0] for b, p in zip(bundles, pickups)}
    groups = {}
    for item in zip(bundles, pickups):
        groups.setdefault(item[0].group, []).append(item)
    merged = []
    for group in sorted(groups):
        members = groups[group]
        while (best := _reference_best_merge(members, alone, max_size_units, courier_value, params)):
            host, guest, item = best
            members = [m for k, m in enumerate(members) if k not in (host, guest)] + [item]
        merged.extend(m[0] for m in members)
    return sorted(merged, key=lambda b: (b.ready_at_min, b.group, b.tasks[0].id))


def _reference_best_merge(members, alone, max_size_units, courier_value, params):
    best, best_gain = None, MIN_GAIN
    for h, (host, host_pickup) in enumerate(members):
        if len(host.tasks) >= params.max_bundle_size or host.tasks[0].extra_pickups:
            continue
        for g, (guest, guest_pickup) in enumerate(members):
            if g == h or len(guest.tasks) != 1 or guest.tasks[0].extra_pickups \
                    or host.size + guest.size > max_size_units \
                    or abs(guest.ready_at_min - host.ready_at_min) > params.bundle_ready_gap_min:
                continue
            found = _reference_pair(host, host_pickup, guest, guest_pickup, alone, courier_value, params)
            if found is not None and found[0] > best_gain:
                best_gain, best = found[0], (h, g, found[1])
    return best


def _reference_pair(host, host_pickup, guest, guest_pickup, alone, courier_value, params):
    if courier_value <= 0 and host_pickup <= host.ready_at_min and guest_pickup <= guest.ready_at_min:
        return None
    before = bundle_cost(host, host_pickup, params) + bundle_cost(guest, guest_pickup, params)
    best = None
    for position in range(len(host.tasks) + 1):
        merged = make_bundle(host.tasks[:position] + guest.tasks + host.tasks[position:], params)
        pickup = max(min(host_pickup, guest_pickup), merged.ready_at_min)
        too_late = [pickup + o - alone[t.id] > params.bundle_extra_min or pickup + o > t.promised_at_min >= alone[t.id]
                for t, o in zip(merged.tasks, merged.drop_offsets_min)]
        if not any(too_late):
            gain = before - bundle_cost(merged, pickup, params) + courier_value
            if best is None or gain > best[0]:
                best = (gain, (merged, pickup))
    return best


# ---- the two agree ----------------------------------------------------------------------------

coordinates = st.integers(-2000, 2000).map(float)
points = st.builds(Point, coordinates, coordinates)
param_sets = st.builds(
    Params, round_travel_up=st.booleans(), detour_factor=st.sampled_from([1.0, 1.3]),
    speed_m_per_min=st.sampled_from([250.0, 333.3]), max_bundle_size=st.integers(1, 4),
    bundle_extra_min=st.sampled_from([10.0, 4.0, 25.0]), bundle_ready_gap_min=st.sampled_from([10.0, 3.0]))


@st.composite
def bundling_inputs(draw):
    """Single-task bundles of up to three pickup groups (one group may have two pickup points), predicted
    pickups (some None, some late), on whole minutes and metres so that equal gains are common."""
    params = draw(param_sets)
    shops = draw(st.lists(points, min_size=2, max_size=3))
    tasks, pickup_at = [], []
    for i in range(draw(st.integers(0, 14))):
        shop = draw(st.integers(0, len(shops) - 1))
        placed = float(draw(st.integers(-30, 0)))
        ready = placed + draw(st.integers(0, 15))
        extra = (draw(points),) if draw(st.integers(0, 9)) == 0 else ()
        tasks.append(Task(f"t{i:02d}", shops[shop], draw(points), placed, ready,
                          placed + draw(st.sampled_from([20, 30, 45])), f"g{min(shop, 1)}",
                          size=draw(st.integers(1, 3)), extra_pickups=extra))
        wait = draw(st.one_of(st.none(), st.integers(-5, 30)))
        pickup_at.append(None if wait is None else ready + wait)
    bundles = [make_bundle([t], params) for t in tasks]
    courier_value = draw(st.sampled_from([0.0, 20.0, 7.5]))
    return bundles, pickup_at, float(draw(st.integers(0, 10))), draw(st.integers(1, 6)), courier_value, params


@settings(max_examples=400, deadline=None)
@given(inputs=bundling_inputs())
def test_merges_are_those_of_the_plain_rule(inputs):
    assert merge_where_short(*inputs) == reference_merge_where_short(*inputs)


def rush_hour(seed, n_tasks):
    """Many orders of one store (plus a few of a bakery), all waiting: long chains of merges."""
    rng = random.Random(seed)
    store, bakery = Point(0.0, 0.0), Point(800.0, -300.0)
    tasks = []
    for i in range(n_tasks):
        placed = round(rng.uniform(-20, -4), 1)
        pickup, group = (bakery, "bakery") if i % 7 == 0 else (store, "store")
        tasks.append(Task(f"t{i:03d}", pickup, Point(rng.uniform(-2500, 2500), rng.uniform(-2500, 2500)),
                          placed, min(-0.5, placed + rng.uniform(3, 6)), placed + 30, group,
                          size=2 if i % 10 == 0 else 1))
    pickup_at = [None if rng.random() < 0.4 else t.ready_at_min + rng.choice([0.0, 4.0, 9.0]) for t in tasks]
    return tasks, pickup_at


@pytest.mark.parametrize("seed", range(4))
def test_long_chains_of_merges_match_the_plain_rule(seed):
    params = Params(round_travel_up=seed % 2 == 0, pickup_service_min=1.0)
    tasks, pickup_at = rush_hour(seed, 45)
    bundles = singles(tasks, params)
    by_id = dict(zip((t.id for t in tasks), pickup_at))
    pickups = [by_id[b.tasks[0].id] for b in bundles]
    for courier_value in (0.0, 20.0):
        result = merge_where_short(bundles, pickups, 0.0, 3 + seed % 2, courier_value, params)
        assert result == reference_merge_where_short(bundles, pickups, 0.0, 3 + seed % 2, courier_value, params)
    assert any(len(b.tasks) > 2 for b in result), "the case should build bundles of three"


def test_nothing_to_merge_returns_the_singles_in_order():
    params = Params()
    tasks = [Task("b", Point(0, 0), Point(500, 0), 0.0, 2.0, 30.0, "store"),
             Task("a", Point(900, 0), Point(500, 0), 0.0, 1.0, 30.0, "bakery")]
    bundles = [make_bundle([t], params) for t in tasks]
    assert merge_where_short(bundles, [None, None], 0.0, 4, 20.0, params) == sorted(
        bundles, key=lambda b: b.ready_at_min)
    assert merge_where_short([], [], 0.0, 4, 20.0, params) == []
