"""Production dispatch cycle bench: ``dispatch.cycle.run_cycle`` (snapshot from the database -> the pure
planner -> guarded writes, then the delivery predictions) for one store at rush hour, compared with the
planner alone and the snapshot alone, both measured in the same run on the same data.

How to run
    make bench                                   # runs every bench/*.py, this one included
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test_h1 .venv/bin/python bench/dispatch_cycle.py
    .venv/bin/python bench/dispatch_cycle.py     # SQLite only: the PostgreSQL target is not checked
    .venv/bin/python bench/dispatch_cycle.py --cycles 20 --sqlite --profile

Per database (PostgreSQL in a throwaway database ``bench_cycle_<pid>`` created and dropped on the server
of BENCH_DATABASE_URL, else TEST_DATABASE_URL; SQLite in a temp file when neither is set, or with --sqlite):
  1. create the schema (create_all) and bulk-insert (Core) one store at rush hour: 50 couriers on shift
     within 3 km of the store (capacity 3, one in ten ending their shift in 25 minutes) and 200 active
     delivery tasks with their orders, items and timelines, drop-offs within 2.5 km: 120 ready orders
     waiting (open tasks, one in ten of size 2), 50 assigned and 30 picked up on 40 couriers' routes
     (2 each); 10 couriers are idle. 70 free places for 120 waiting orders: couriers are short;
  2. build the app in its production configuration; one warm-up cycle, then --cycles cycles, each in a
     fresh app context as the scheduler runs a job, all at the same ``now``. Before each cycle, outside
     the clock, the previous one is undone: rows it added (events, notifications) deleted, orders and
     tasks it changed written back as built. So every cycle faces the same 200 tasks and makes the same
     plan, as the first cycle to see them (every late notice is sent again: the dearest case);
  3. after every cycle, check what it wrote: each task written once, order and task agree on the
     courier, one ASSIGNED event per newly assigned order, no courier above capacity, every task that
     was on a route before the cycle (assigned or picked up) untouched. A violation ends that database's
     run and fails the bench (exit 1);
  4. baselines: the snapshot alone (``load_snapshot`` in a transaction that is rolled back) and the
     planner alone (``planner.plan`` on that snapshot, loaded once), --cycles times each.
Prints p50/p95/max ms of the cycle, of its parts timed inside it (snapshot, planner, assignments,
predictions, other) and of the two baselines, each as a ratio to the planner-only p95; SQL statements per
cycle; the process's peak RSS. About a minute per database on a 2-core machine at the default 50 cycles.

Target (exit status 1 when missed): a cycle p95 < 200 ms on PostgreSQL for 200 active tasks and 50
couriers. SQLite's numbers are shown without a target. Wall-clock on a shared machine: other busy
processes move every number (a busy 2-core box, by 1.5x and more), the ratios less.

``--profile`` runs the measured cycles under cProfile and prints where the time goes.
"""
import argparse
import cProfile
import math
import os
import pstats
import random
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A script's own folder comes first on sys.path, and bench/dispatch.py would shadow the dispatch package.
sys.path[:] = [str(ROOT / "bench" / "support"), str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from databases import throwaway_postgres  # noqa: E402  (bench/support is not a package)

CYCLE_P95_MS = 200.0
COURIERS, BUSY_COURIERS, CAPACITY = 50, 40, 3
READY, ASSIGNED, PICKED_UP = 120, 50, 30
STORE_LAT, STORE_LON = 31.2, 121.4
COURIER_RADIUS_M, DROPOFF_RADIUS_M = 3000.0, 2500.0
M_PER_DEG_LAT = 111_320.0
SEED = 20240611


def production_app(url, instance_dir):
    """The app as the scheduler builds it: production configuration on ``url``."""
    os.environ.update({"STORE_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                       "STORE_INSTANCE_PATH": str(instance_dir), "RATELIMIT_STORAGE_URI": "memory://"})
    from store_app import create_app

    return create_app()


# ---- the data ----------------------------------------------------------------------------------

def _around(rng, radius_m):
    """A ``(lat, lon)`` uniformly inside ``radius_m`` of the store."""
    r, angle = radius_m * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    north, east = r * math.sin(angle), r * math.cos(angle)
    return (STORE_LAT + north / M_PER_DEG_LAT,
            STORE_LON + east / (M_PER_DEG_LAT * math.cos(math.radians(STORE_LAT))))


def build_store(now):
    """One store at rush hour (see the module docstring), bulk-inserted in one transaction; returns
    ``{"store_id", "route_tasks"}``. Needs an app context."""
    from store_app.accounts.models import User
    from store_app.catalogue.models import Category, Merchant, Product
    from store_app.database import transaction
    from store_app.deliveries.models import CourierShift
    from store_app.extensions import db
    from store_app.roles import Role
    from store_app.stores.models import Store, StoreHours

    rng = random.Random(SEED)
    with transaction():
        store = Store(name="Bench Store", address="1 Bench Rd", lat=STORE_LAT, lon=STORE_LON)
        store.hours = [StoreHours(weekday=d, opens_min=0, closes_min=1440) for d in range(7)]
        db.session.add(store)
        db.session.flush()
        merchant = Merchant(store_id=store.id, name=store.name, kind="store", lat=STORE_LAT, lon=STORE_LON)
        category = Category(store_id=store.id, slug="daily", name_zh="日用", name_en="Daily")
        db.session.add_all([merchant, category])
        db.session.flush()
        product = Product(store_id=store.id, merchant_id=merchant.id, category_id=category.id,
                          name_zh="矿泉水", name_en="Water", price_cents=300, stock=100_000)
        db.session.add(product)
        db.session.flush()
        user = {"store_id": store.id, "password_hash": "x", "session_version": 1, "is_enabled": True,
                "created_at": now - timedelta(days=30)}
        db.session.execute(db.insert(User), [
            {**user, "phone": f"+8613500{i:06d}", "name": f"Courier {i}", "role": Role.COURIER.value}
            for i in range(COURIERS)] + [
            {**user, "phone": f"+8613400{i:06d}", "name": f"Resident {i}", "role": Role.RESIDENT.value}
            for i in range(READY + ASSIGNED + PICKED_UP)])
        couriers = db.session.scalars(db.select(User.id).where(User.phone.like("+8613500%"))
                                      .order_by(User.phone)).all()
        residents = db.session.scalars(db.select(User.id).where(User.phone.like("+8613400%"))
                                       .order_by(User.phone)).all()
        shifts = []
        for i, courier_id in enumerate(couriers):
            lat, lon = _around(rng, COURIER_RADIUS_M)
            ends_in = timedelta(minutes=25) if i % 10 == 9 else timedelta(hours=rng.randint(2, 6))
            shifts.append({"store_id": store.id, "courier_id": courier_id, "started_at": now - timedelta(hours=2),
                           "planned_end_at": now + ends_in, "lat": lat, "lon": lon, "position_at": now,
                           "capacity": CAPACITY})
        db.session.execute(db.insert(CourierShift), shifts)
        facts = _insert_orders(store, product, couriers, residents, rng, now)
        facts["store_id"] = store.id
    return facts


def _route_courier(k, couriers):
    """Route task ``k`` (picked-up ones first) -> its courier: 2 tasks each on the first 40 couriers."""
    return couriers[k] if k < PICKED_UP else couriers[k % BUSY_COURIERS]


def _insert_orders(store, product, couriers, residents, rng, now):
    """The 200 orders with their items, timelines and delivery tasks."""
    from store_app.deliveries.models import DeliveryTask
    from store_app.extensions import db
    from store_app.orders.models import Order, OrderEvent, OrderItem

    minutes = lambda m: now + timedelta(minutes=m)  # noqa: E731
    kinds = ["picked_up"] * PICKED_UP + ["assigned"] * ASSIGNED + ["ready"] * READY
    orders, plans = [], []
    for n, (kind, resident) in enumerate(zip(kinds, residents)):
        lat, lon = _around(rng, DROPOFF_RADIUS_M)
        placed = -rng.uniform(*{"picked_up": (12, 25), "assigned": (8, 20), "ready": (4, 20)}[kind])
        ready = min(-0.5, placed + rng.uniform(3, 6))
        quantity = 12 if kind == "ready" and n % 10 == 0 else rng.randint(1, 6)
        courier_id = _route_courier(n, couriers) if kind != "ready" else None
        times = {"placed_at": minutes(placed), "accepted_at": minutes(placed + 0.5),
                 "picking_at": minutes(placed + 1), "ready_at": minutes(ready),
                 "assigned_at": minutes(ready + 0.3) if courier_id else None,
                 "picked_up_at": minutes(ready + 2) if kind == "picked_up" else None}
        orders.append({
            "store_id": store.id, "user_id": resident, "status": kind, "idempotency_key": f"bench-{n:04d}",
            "address_text": f"Bench Lane {n}, 3-1202", "lat": lat, "lon": lon, "zone_name": "Zone A",
            "subtotal_cents": 300 * quantity, "delivery_fee_cents": 500, "total_cents": 300 * quantity + 500,
            "payment_method": "wallet", "delivery_code": f"{rng.randint(0, 9999):04d}", "eta_minutes": 30,
            "promised_at": minutes(placed + 30), "courier_id": courier_id, **times})
        plans.append((kind, quantity, courier_id, times, lat, lon))
    db.session.execute(db.insert(Order), orders)
    ids = dict(db.session.execute(db.select(Order.idempotency_key, Order.id)
                                  .where(Order.store_id == store.id)).all())
    items, events, tasks = [], [], []
    for n, (kind, quantity, courier_id, times, lat, lon) in enumerate(plans):
        order_id = ids[f"bench-{n:04d}"]
        items.append({"order_id": order_id, "product_id": product.id, "merchant_id": product.merchant_id,
                      "name_zh": product.name_zh, "name_en": product.name_en, "unit_price_cents": 300,
                      "quantity": quantity, "unavailable": False})
        for status, column in (("placed", "placed_at"), ("accepted", "accepted_at"), ("picking", "picking_at"),
                               ("ready", "ready_at"), ("assigned", "assigned_at"), ("picked_up", "picked_up_at")):
            if times[column] is not None:
                events.append({"order_id": order_id, "status": status, "note": "", "at": times[column]})
        tasks.append({"store_id": store.id, "kind": "order", "order_id": order_id,
                      "status": "open" if kind == "ready" else kind, "courier_id": courier_id,
                      "pickup_lat": STORE_LAT, "pickup_lon": STORE_LON, "dropoff_lat": lat, "dropoff_lon": lon,
                      "size": quantity // 10 + 1, "ready_at": times["ready_at"], "packed_at": times["ready_at"],
                      "promised_at": orders[n]["promised_at"], "assigned_by": "planner" if courier_id else None,
                      "created_at": times["placed_at"], "assigned_at": times["assigned_at"],
                      "picked_up_at": times["picked_up_at"]})
    db.session.execute(db.insert(OrderItem), items)
    db.session.execute(db.insert(OrderEvent), events)
    db.session.execute(db.insert(DeliveryTask), tasks)
    return {"route_tasks": _task_rows(store.id, ("assigned", "picked_up"))}


def _task_rows(store_id, statuses):
    """``{task_id: (status, courier_id, assigned_by, assigned_at, picked_up_at)}`` of the store's tasks."""
    from store_app.deliveries.models import DeliveryTask
    from store_app.extensions import db

    rows = db.session.execute(db.select(DeliveryTask.id, DeliveryTask.status, DeliveryTask.courier_id,
                                        DeliveryTask.assigned_by, DeliveryTask.assigned_at,
                                        DeliveryTask.picked_up_at)
                              .where(DeliveryTask.store_id == store_id, DeliveryTask.status.in_(statuses))).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def capture(facts):
    """Remember the state every cycle must face: each table's highest id, and the orders and tasks as built."""
    from store_app.extensions import db

    facts["max_ids"] = {table.name: db.session.scalar(db.select(db.func.coalesce(db.func.max(table.c.id), 0)))
                        for table in _id_tables()}
    facts["rows"] = {name: _rows(name) for name in ("orders", "delivery_tasks")}


def _id_tables():
    from store_app.extensions import db

    return [t for t in reversed(db.metadata.sorted_tables) if "id" in t.c and t.c.id.primary_key]


def _rows(name):
    from store_app.extensions import db

    table = db.metadata.tables[name]
    return {row.id: row._asdict() for row in db.session.execute(db.select(table))}


def reset(facts):
    """Undo the last cycle: rows it added (in any table: events, notifications...) deleted, and every
    order and task it changed (assignment, predictions, late notices) back as built. Only the rows that
    differ are written, so the tables do not fill with dead row versions over the run."""
    from store_app.database import transaction
    from store_app.extensions import db

    with transaction():
        for table in _id_tables():
            db.session.execute(db.delete(table).where(table.c.id > facts["max_ids"][table.name]))
        for name, built in facts["rows"].items():
            table = db.metadata.tables[name]
            changed = [{f"b_{k}": v for k, v in built[key].items()}
                       for key, row in _rows(name).items() if row != built[key]]
            if changed:
                columns = {c.name: db.bindparam(f"b_{c.name}") for c in table.c if c.name != "id"}
                db.session.execute(db.update(table).where(table.c.id == db.bindparam("b_id")).values(columns),
                                   changed)


# ---- correctness ---------------------------------------------------------------------------------

class Violation(Exception):
    """A cycle wrote something the dispatcher must never write."""


def verify(facts, summary):
    """Check the database after one cycle (see the module docstring); returns the tasks it assigned."""
    import re

    from store_app.deliveries.models import CourierShift, DeliveryTask
    from store_app.extensions import db
    from store_app.orders.models import Order, OrderEvent

    store_id = facts["store_id"]
    pairs = [(int(t), int(c)) for t, c in re.findall(r"task (\d+)->courier (\d+)", summary)]
    if len(pairs) != len({t for t, _ in pairs}):
        raise Violation(f"a task was written twice: {pairs}")
    tasks = db.session.execute(db.select(DeliveryTask.id, DeliveryTask.status, DeliveryTask.courier_id,
                                         DeliveryTask.size, DeliveryTask.assigned_by, Order.status, Order.courier_id)
                               .join(Order, Order.id == DeliveryTask.order_id)
                               .where(DeliveryTask.store_id == store_id)).all()
    capacity = dict(db.session.execute(db.select(CourierShift.courier_id, CourierShift.capacity)
                                       .where(CourierShift.store_id == store_id)).all())
    load, new = Counter(), {}
    for task_id, status, courier_id, size, by, order_status, order_courier in tasks:
        if status in ("assigned", "picked_up"):
            if courier_id is None or order_courier != courier_id or order_status != status:
                raise Violation(f"task {task_id}: {status} with courier {courier_id}, its order "
                                f"{order_status} with courier {order_courier}")
            load[courier_id] += size
            if task_id not in facts["route_tasks"]:
                new[task_id] = courier_id
        elif status != "open" or courier_id is not None or order_courier is not None:
            raise Violation(f"task {task_id}: {status}/{courier_id}, order {order_status}/{order_courier}")
    over = {c: f"{n} > {capacity[c]}" for c, n in load.items() if n > capacity[c]}
    if over:
        raise Violation(f"couriers over their capacity: {over}")
    on_routes = _task_rows(store_id, ("assigned", "picked_up"))
    moved = {t: on_routes.get(t) for t, row in facts["route_tasks"].items() if on_routes.get(t) != row}
    if moved:
        raise Violation(f"tasks on a route before the cycle were changed: {moved}")
    if dict(pairs) != new:
        raise Violation(f"the summary says {dict(pairs)}, the database has {new}")
    events = Counter(db.session.scalars(db.select(OrderEvent.order_id).where(
        OrderEvent.id > facts["max_ids"]["order_events"], OrderEvent.status == "assigned")).all())
    if len(events) != len(new) or any(n != 1 for n in events.values()):
        raise Violation(f"{len(new)} tasks assigned, ASSIGNED events per order: {dict(events)}")
    return new


# ---- measuring -----------------------------------------------------------------------------------

def percentiles(samples_ms):
    """``(p50, p95, max)`` in ms; p95 by the nearest-rank method."""
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], ordered[-1]


def count_statements(engine):
    """A counter of the SQL statements ``engine`` sends from now on."""
    from sqlalchemy import event

    counter = Counter()
    event.listen(engine, "before_cursor_execute", lambda *a: counter.update(n=1))
    return counter


# Parts of a cycle timed inside the real run_cycle (module, function); the rest (the store's row, commits,
# the app context) shows as "other". A part the tree does not have (yet) is left out.
PHASES = (("snapshot", "dispatch.cycle", "load_snapshot"), ("planner", "dispatch.planner", "plan"),
          ("assignments", "dispatch.cycle", "persist"),
          ("predictions", "store_app.deliveries.operations", "record_predictions"))


@contextmanager
def timed_phases():
    """Wrap the PHASES functions while the block runs; yields ``{phase: [ms of the current cycle]}``."""
    import importlib

    spent, originals = {}, []
    for phase, module_name, name in PHASES:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue

        def wrapper(*args, _original=original, _phase=phase, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_phase] = spent.get(_phase, 0.0) + (time.perf_counter() - started) * 1000
        originals.append((module, name, original))
        setattr(module, name, wrapper)
    try:
        yield spent
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def measure_cycles(app, facts, now, cycles, profiler=None):
    """A warm-up, then ``cycles`` timed ``run_cycle`` calls, each on the same state and checked after;
    returns ``{"cycle": [ms], <phase>: [ms], "warmup_ms", "summary", "assigned", "statements"}``."""
    from dispatch import cycle
    from store_app.extensions import db

    with app.app_context():
        statements = count_statements(db.engine)
    result = {"cycle": [], "assigned": Counter(), "statements": Counter()}
    with timed_phases() as spent:
        for i in range(cycles + 1):
            with app.app_context():
                reset(facts)
                db.session.remove()
            statements.clear()
            spent.clear()
            with app.app_context():  # as the scheduler runs a job: a fresh context and session
                if profiler and i:
                    profiler.enable()
                started = time.perf_counter()
                summary = cycle.run_cycle(facts["store_id"], now)
                elapsed_ms = (time.perf_counter() - started) * 1000
                if profiler and i:
                    profiler.disable()
            with app.app_context():
                result["assigned"][len(verify(facts, summary))] += 1
                db.session.remove()
            if i == 0:
                result.update(warmup_ms=elapsed_ms, summary=summary.split(" (")[0])
                continue
            result["cycle"].append(elapsed_ms)
            result["statements"][statements["n"]] += 1
            for phase, ms in spent.items():
                result.setdefault(phase, []).append(ms)
            result.setdefault("other", []).append(elapsed_ms - sum(spent.values()))
    return result


def measure_baselines(app, facts, now, runs):
    """The snapshot alone (``load_snapshot``, rolled back) and the planner alone on that snapshot
    (loaded once), ``runs`` times each after one untimed run; returns ``(snapshot ms, planner ms, shape)``."""
    from dispatch import cycle, planner
    from store_app.deliveries.params import planner_params
    from store_app.extensions import db
    from store_app.stores.operations import get_store

    with app.app_context():
        reset(facts)
    snapshot_ms = []
    for _ in range(runs + 1):
        with app.app_context():
            store = get_store(facts["store_id"])
            started = time.perf_counter()
            tasks, couriers = cycle.load_snapshot(store, now)
            snapshot_ms.append((time.perf_counter() - started) * 1000)
            params = planner_params(store)
            db.session.rollback()
    planner_ms = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        plan = planner.plan(tasks, couriers, 0.0, params)
        planner_ms.append((time.perf_counter() - started) * 1000)
    shape = {"tasks": len(tasks), "open": sum(t.courier_id is None for t in tasks), "couriers": len(couriers),
             "planned": sum(len(a.task_ids) for a in plan.assignments)}
    return snapshot_ms[1:], planner_ms[1:], shape


def bench_database(title, url, args, instance_dir, checks):
    """Build the store, measure the cycles and the baselines, print them, check the target."""
    from store_app.database import utcnow
    from store_app.extensions import db

    app = production_app(url, instance_dir)
    started, now = time.monotonic(), utcnow().replace(microsecond=0)
    with app.app_context():
        db.create_all()
        facts = build_store(now)
        capture(facts)
        db.session.remove()
        if db.engine.dialect.name == "postgresql":  # fresh planner statistics, as a live database has
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"\n[{title}] store built in {time.monotonic() - started:.1f} s: {COURIERS} couriers on shift, "
          f"{READY} ready orders waiting, {ASSIGNED} assigned and {PICKED_UP} picked up on "
          f"{BUSY_COURIERS} couriers' routes")
    profiler = cProfile.Profile() if args.profile else None
    try:
        cycles = measure_cycles(app, facts, now, args.cycles, profiler)
    except Violation as exc:
        checks.append((False, f"{title}: a cycle wrote something it must not: {exc}"))
        return
    snapshot_ms, planner_ms, shape = measure_baselines(app, facts, now, args.cycles)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    report(title, args.cycles, cycles, snapshot_ms, planner_ms, shape, checks)
    if profiler:
        print("(--profile: the cycles ran under cProfile, the baselines did not; compare runs without it)")
        print_profile(profiler, args.cycles)


def report(title, count, cycles, snapshot_ms, planner_ms, shape, checks):
    """Print one database's table; append the target's ``(ok, text)`` to ``checks`` (ok None: a note)."""
    print(f"== {title}: {count} cycles; warm-up cycle {cycles['warmup_ms']:.1f} ms: {cycles['summary']}")
    print(f"snapshot: {shape['tasks']} tasks ({shape['open']} open), {shape['couriers']} couriers; the planner "
          f"commits {shape['planned']} tasks; tasks written per cycle: {dict(cycles['assigned'])}; "
          f"SQL statements per cycle: {dict(cycles['statements'])}")
    print(f"{'':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p95 / planner':>15}")
    planner_p95 = percentiles(planner_ms)[1]
    rows = [("cycle (run_cycle)", cycles["cycle"])]
    rows += [(f"  in it: {phase}", cycles[phase]) for phase, *_ in PHASES + (("other",),) if phase in cycles]
    rows += [("snapshot only", snapshot_ms), ("planner only (baseline)", planner_ms)]
    for name, samples in rows:
        p50, p95, top = percentiles(samples)
        print(f"{name:<26}{p50:>9.1f}{p95:>9.1f}{top:>9.1f}{p95 / planner_p95:>14.2f}x")
    cycle_p95 = percentiles(cycles["cycle"])[1]
    print(f"cycle p95 / planner-only p95 = {cycle_p95 / planner_p95:.2f}: the database's share of a cycle "
          f"(cycle - planner, at p95) is {cycle_p95 - planner_p95:.1f} ms ({1 - planner_p95 / cycle_p95:.0%})")
    if len(cycles["assigned"]) != 1:
        checks.append((None, f"{title}: cycles on the same state wrote different numbers of tasks: "
                             f"{dict(cycles['assigned'])}"))
    if title.startswith("PostgreSQL"):
        checks.append((cycle_p95 < CYCLE_P95_MS,
                       f"{title}: cycle p95 {cycle_p95:.1f} ms for {shape['tasks']} tasks and {shape['couriers']} "
                       f"couriers (target < {CYCLE_P95_MS:.0f} ms; the planner alone: {planner_p95:.1f} ms)"))
    else:
        checks.append((None, f"{title}: cycle p95 {cycle_p95:.1f} ms (no target on SQLite)"))


def print_profile(profiler, cycles):
    """Own time per cycle by package, then the top of the cumulative profile."""
    stats = pstats.Stats(profiler)
    totals = Counter()
    for (path, _line, _func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if "site-packages/" in path:
            package = path.split("site-packages/", 1)[1].split("/", 1)[0]
        elif str(ROOT) in path:
            package = "/".join(path.replace(str(ROOT) + "/", "").split("/")[:2])
        else:
            package = "builtins / stdlib"
        totals[package] += tottime
    print("own ms per cycle by package (under the profiler):")
    for package, seconds in totals.most_common(12):
        print(f"  {package:32} {seconds / cycles * 1000:7.2f}")
    stats.sort_stats("cumulative").print_stats(25)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=50, help="measured cycles (default 50)")
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite too when PostgreSQL is set")
    parser.add_argument("--profile", action="store_true", help="run the measured cycles under cProfile")
    args = parser.parse_args()
    if not 5 <= args.cycles <= 1000:
        parser.error("--cycles must be 5..1000")
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    checks = []
    instance_dir = tempfile.mkdtemp(prefix="bench_cycle_")
    try:
        if pg_url:
            with throwaway_postgres(pg_url, "bench_cycle") as url:
                bench_database("PostgreSQL", url, args, instance_dir, checks)
        if args.sqlite or not pg_url:
            bench_database("SQLite", f"sqlite:///{instance_dir}/bench.sqlite3", args, instance_dir, checks)
        if not pg_url:
            checks.append((None, "PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL (the "
                                 f"{CYCLE_P95_MS:.0f} ms target is checked only there): target NOT checked"))
    finally:
        shutil.rmtree(instance_dir, ignore_errors=True)
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("\n== targets")
    for ok, text in checks:
        print({True: "PASS  ", False: "MISS  ", None: "NOTE  "}[ok] + text)
    return 0 if all(ok is not False for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
