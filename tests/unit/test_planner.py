"""The dispatch planner (pure): small hand-made cases, then properties over random snapshots."""
import ast
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.baselines import greedy
from dispatch.bundling import bundle_cost, make_bundle
from dispatch.model import Courier, Params, Point, Stop, StopKind, Task
from dispatch.planner import BundleArrays, plan, service_cost

PARAMS = Params()  # the store's: 250 m/min, travel rounded up, 2 min pickup, 3 min drop-off service
STORE = Point(0.0, 0.0)


def task(task_id, *, pickup=STORE, dropoff=Point(500.0, 0.0), placed=0.0, ready=1.0, promised=None,
         group="store", size=1, courier_id=None, picked_up=False):
    return Task(task_id, pickup, dropoff, placed, ready, placed + 30 if promised is None else promised, group,
                size=size, courier_id=courier_id, picked_up=picked_up)


def courier(courier_id, *, at=STORE, available=0.0, shift_end=600.0, capacity=4, route=(), workload=0.0):
    return Courier(courier_id, at, available, shift_end, capacity, route, workload)


def planned_ids(result):
    return [a.task_ids for a in result.assignments + result.deferred]


# ---- bundling ---------------------------------------------------------------------------------

def test_two_orders_of_one_pickup_ride_together_when_couriers_are_short():
    tasks = [task("a", dropoff=Point(500.0, 0.0)), task("b", dropoff=Point(600.0, 100.0))]
    result = plan(tasks, [courier("c1")], 0.0, PARAMS)
    assert [(a.courier_id, sorted(a.task_ids)) for a in result.assignments] == [("c1", ["a", "b"])]
    assert result.unplanned_task_ids == ()


def test_orders_ride_alone_when_couriers_are_plentiful():
    tasks = [task("a"), task("b", dropoff=Point(600.0, 100.0))]
    result = plan(tasks, [courier("c1"), courier("c2")], 0.0, PARAMS)
    assert sorted(a.task_ids for a in result.assignments) == [("a",), ("b",)]


def test_orders_of_different_pickup_points_never_share_a_bundle():
    tasks = [task("a", group="bakery", pickup=Point(100.0, 0.0)), task("b", group="store")]
    result = plan(tasks, [courier("c1")], 0.0, PARAMS)
    assert all(len(ids) == 1 for ids in planned_ids(result))


def test_a_bundle_never_exceeds_the_couriers_capacity():
    tasks = [task(f"t{i}", dropoff=Point(400.0 + 10 * i, 0.0), size=2) for i in range(4)]
    result = plan(tasks, [courier("c1", capacity=3)], 0.0, PARAMS)
    assert all(len(ids) == 1 for ids in planned_ids(result))


# ---- shift ends, lateness, fairness ----------------------------------------------------------

def test_a_courier_whose_shift_ends_before_the_pickup_is_never_used():
    near_but_leaving = courier("c1", shift_end=5.0)
    far = courier("c2", at=Point(2500.0, 0.0))
    result = plan([task("a", ready=10.0)], [near_but_leaving, far], 0.0, PARAMS)
    assert [(a.courier_id, a.task_ids) for a in result.assignments + result.deferred] == [("c2", ("a",))]
    alone = plan([task("a", ready=10.0)], [near_but_leaving], 0.0, PARAMS)
    assert alone.assignments == alone.deferred == () and alone.unplanned_task_ids == ("a",)


def test_keeping_a_promise_comes_before_a_shorter_ride():
    # One courier. "late" can still keep its promise if served now; "easy" is nearer but has slack.
    late = task("late", pickup=Point(1000.0, 0.0), dropoff=Point(1000.0, 100.0), group="far",
                placed=-20.0, ready=0.0, promised=10.0)
    easy = task("easy", pickup=Point(250.0, 0.0), dropoff=Point(250.0, 100.0), group="near", ready=0.0)
    result = plan([late, easy], [courier("c1")], 0.0, PARAMS)
    assert [a.task_ids for a in result.assignments] == [("late",)]
    assert result.assignments[0].dropoff_at_min[0] <= late.promised_at_min
    assert result.unplanned_task_ids == ("easy",)


@pytest.mark.parametrize("workloads, expected", [((5.0, 0.0), "c2"), ((0.0, 5.0), "c1"), ((0.0, 0.0), "c1")])
def test_fairness_breaks_ties_then_the_id(workloads, expected):
    couriers = [courier("c1", workload=workloads[0]), courier("c2", workload=workloads[1])]
    result = plan([task("a")], couriers, 0.0, PARAMS)
    assert [a.courier_id for a in result.assignments] == [expected]


def test_assignments_wait_until_the_courier_must_leave():
    far_ready = task("a", ready=30.0)  # the courier is at the store: nothing to do before minute 29
    result = plan([far_ready], [courier("c1")], 0.0, PARAMS)
    assert result.assignments == () and [a.task_ids for a in result.deferred] == [("a",)]
    later = plan([far_ready], [courier("c1")], 29.0, PARAMS)
    assert [a.task_ids for a in later.assignments] == [("a",)]
    assert later.assignments[0].pickup_at_min == 30.0


def test_a_courier_free_soon_is_planned_but_not_yet_committed():
    busy = courier("c1", available=10.0)
    result = plan([task("a", ready=0.0)], [busy], 0.0, PARAMS)
    assert result.assignments == ()
    assert [(a.courier_id, a.pickup_at_min) for a in result.deferred] == [("c1", 11.0)]
    assert result.late_task_ids == ()


# ---- committed work is never moved -----------------------------------------------------------

def test_picked_up_and_assigned_tasks_never_move():
    picked = task("picked", courier_id="c1", picked_up=True, dropoff=Point(1000.0, 0.0))
    assigned = task("assigned", courier_id="c1", dropoff=Point(1200.0, 0.0))
    route = (Stop(StopKind.DROPOFF, picked.dropoff, ("picked",)),
             Stop(StopKind.PICKUP, STORE, ("assigned",), 1.0),
             Stop(StopKind.DROPOFF, assigned.dropoff, ("assigned",)))
    open_task = task("open", dropoff=Point(0.0, 500.0))
    couriers = [courier("c1", route=route), courier("c2", at=Point(5000.0, 0.0))]
    result = plan([picked, assigned, open_task], couriers, 0.0, PARAMS)
    moved = {i for ids in planned_ids(result) for i in ids}
    assert moved <= {"open"}
    stops_c1 = next(r.stops for r in result.routes if r.courier_id == "c1")
    assert [s.task_ids for s in stops_c1[:3]] == [("picked",), ("assigned",), ("assigned",)]


def test_new_work_starts_where_the_committed_route_ends():
    carrying = task("carrying", courier_id="c1", picked_up=True, dropoff=Point(2500.0, 0.0))
    route = (Stop(StopKind.DROPOFF, carrying.dropoff, ("carrying",)),)
    result = plan([carrying, task("next", ready=0.0)], [courier("c1", route=route)], 0.0, PARAMS)
    # 10 min out, 3 min at the door, 10 min back, 1 min to the pickup moment.
    planned = [(a.task_ids, a.depart_at_min, a.pickup_at_min) for a in result.deferred]
    assert planned == [(("next",), 13.0, 24.0)]


def test_a_snapshot_that_contradicts_itself_is_refused():
    with pytest.raises(ValueError, match="without a courier"):
        plan([task("a", picked_up=True)], [courier("c1")], 0.0, PARAMS)
    with pytest.raises(ValueError, match="duplicate"):
        plan([task("a"), task("a")], [courier("c1")], 0.0, PARAMS)


def test_routes_carry_estimated_times():
    result = plan([task("a", dropoff=Point(500.0, 0.0))], [courier("c1")], 0.0, PARAMS)
    (route,) = result.routes
    pickup, dropoff = route.stops
    assert (pickup.kind, pickup.arrive_at_min, pickup.service_at_min, pickup.depart_at_min) == \
        (StopKind.PICKUP, 0.0, 1.0, 2.0)
    assert (dropoff.kind, dropoff.arrive_at_min, dropoff.service_at_min) == (StopKind.DROPOFF, 4.0, 5.5)
    assert result.assignments[0].dropoff_at_min == (5.5,)


# ---- determinism and invariants ----------------------------------------------------------------

def somewhere(rng):
    return Point(rng.uniform(-3000, 3000), rng.uniform(-3000, 3000))


def random_snapshot(seed, n_tasks=30, n_couriers=10):
    rng = random.Random(seed)
    shops = [somewhere(rng) for _ in range(4)]
    tasks = []
    for i in range(n_tasks):
        shop = rng.randrange(len(shops))
        placed = rng.uniform(-20, 0)
        tasks.append(Task(f"t{i}", shops[shop], somewhere(rng), placed, placed + rng.uniform(0, 25),
                          placed + 30, f"s{shop}", size=rng.randint(1, 2)))
    couriers = [Courier(f"c{i}", somewhere(rng), rng.uniform(0, 15), rng.uniform(5, 120), rng.randint(1, 4),
                        workload=float(rng.randint(0, 3)))
                for i in range(n_couriers)]
    return tasks, couriers


@pytest.mark.parametrize("seed", range(5))
def test_the_same_snapshot_in_any_order_gives_the_same_plan(seed):
    tasks, couriers = random_snapshot(seed)
    first = plan(tasks, couriers, 0.0, PARAMS)
    rng = random.Random(seed)
    rng.shuffle(tasks)
    rng.shuffle(couriers)
    assert plan(tasks, couriers, 0.0, PARAMS) == first


points = st.builds(Point, st.integers(-3000, 3000).map(float), st.integers(-3000, 3000).map(float))


@st.composite
def snapshots(draw):
    shops = draw(st.lists(points, min_size=1, max_size=3))
    tasks = []
    for i in range(draw(st.integers(0, 12))):
        shop = draw(st.integers(0, len(shops) - 1))
        placed = float(draw(st.integers(-30, 0)))
        ready = placed + draw(st.integers(0, 40))
        tasks.append(Task(f"t{i}", shops[shop], draw(points), placed, ready, placed + 30, f"s{shop}",
                          size=draw(st.integers(1, 3))))
    couriers = []
    for i in range(draw(st.integers(0, 6))):
        route = ()
        if draw(st.booleans()):  # carrying one task already
            carried = Task(f"carried{i}", shops[0], draw(points), -10.0, -5.0, 20.0, "s0",
                           courier_id=f"c{i}", picked_up=True)
            tasks.append(carried)
            route = (Stop(StopKind.DROPOFF, carried.dropoff, (carried.id,)),)
        couriers.append(Courier(f"c{i}", draw(points), float(draw(st.integers(0, 30))),
                                float(draw(st.integers(0, 90))), draw(st.integers(1, 4)), route,
                                workload=float(draw(st.integers(0, 5)))))
    return tasks, couriers, float(draw(st.integers(0, 10)))


@pytest.mark.parametrize("policy", [plan, greedy], ids=["planner", "greedy"])
@settings(max_examples=150, deadline=None)
@given(snapshot=snapshots())
def test_plans_keep_every_invariant(policy, snapshot):
    tasks, couriers, now = snapshot
    result = policy(tasks, couriers, now, PARAMS)
    by_id = {t.id: t for t in tasks}
    by_courier = {c.id: c for c in couriers}
    planned = result.assignments + result.deferred
    ids = [i for a in planned for i in a.task_ids]
    assert len(ids) == len(set(ids)), "a task in two assignments"
    assert set(ids) | set(result.unplanned_task_ids) == {t.id for t in tasks if t.courier_id is None}
    assert not set(ids) & set(result.unplanned_task_ids)
    assert len({a.courier_id for a in planned}) == len(planned), "one new bundle per courier per cycle"
    for a in planned:
        c = by_courier[a.courier_id]
        assert sum(by_id[i].size for i in a.task_ids) <= c.capacity
        assert a.pickup_at_min <= c.shift_end_at_min
        assert a.pickup_at_min >= max(by_id[i].ready_at_min for i in a.task_ids)
        assert len({by_id[i].pickup_group for i in a.task_ids}) == 1
        assert a.depart_at_min >= max(now, c.available_at_min)
        assert all(by_id[i].courier_id is None for i in a.task_ids), "an assigned task moved"


def test_greedy_serves_first_come_with_the_nearest_idle_courier_alone():
    tasks = [task("second", placed=1.0, dropoff=Point(600.0, 0.0)), task("first", placed=0.0)]
    couriers = [courier("far", at=Point(3000.0, 0.0)), courier("near"), courier("busy", available=5.0)]
    result = greedy(tasks, couriers, 2.0, PARAMS)
    assert [(a.courier_id, a.task_ids) for a in result.assignments] == [
        ("near", ("first",)), ("far", ("second",))]


# ---- the core stays pure ---------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
CORE = ("model.py", "geo.py", "routes.py", "bundling.py", "planner.py", "baselines.py")
FORBIDDEN = ("flask", "sqlalchemy", "apscheduler", "werkzeug", "wtforms", "store_app", "services")


def core_modules():
    folder = ROOT / "dispatch"
    return [folder / name for name in CORE] + sorted((folder / "sim").glob("*.py"))


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_core_module_imports_nothing_of_the_app_or_a_framework(path):
    """tests/test_architecture.py lists the core's main modules; this also covers routes and bundling."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module)
    bad = [n for n in names if n.split(".")[0] in FORBIDDEN or n.split(".")[0].startswith("flask_")]
    assert bad == []


def test_params_are_frozen():
    with pytest.raises(Exception):
        PARAMS.speed_m_per_min = 1.0  # type: ignore[misc]
    assert replace(PARAMS, cycle_min=0.5).cycle_min == 0.5


@pytest.mark.parametrize("seed", range(3))
def test_the_vectorised_cost_prices_tasks_as_the_bundling_does(seed):
    tasks, _couriers = random_snapshot(seed, n_tasks=8)
    bundles = [make_bundle([t], PARAMS) for t in tasks[:4]] + [make_bundle(tasks[4:7], PARAMS)]
    pickups = np.array([[0.0, 7.5, 30.0, 55.0, 90.0]]).T.repeat(len(bundles), axis=1)
    vectorised = service_cost(pickups, BundleArrays.of(bundles, PARAMS), PARAMS)
    scalar = [[bundle_cost(b, p, PARAMS) for b, p in zip(bundles, row)] for row in pickups]
    assert vectorised == pytest.approx(np.array(scalar))
