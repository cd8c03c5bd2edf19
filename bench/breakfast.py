"""Breakfast freeze speed: one day with 2,000 orders frozen at its cutoff (charges to 2,000 wallets with
the grace, prep sheet version 1 with its labels, the kitchen told), against a bare read of the same rows
(the day's orders with their children, then their lines with their items) in the same run.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/breakfast.py

PostgreSQL in a throwaway database ``bench_breakfast_<pid>`` on the server of BENCH_DATABASE_URL, else
TEST_DATABASE_URL (SQLite in a temp file when neither is set, or with --sqlite). Each round makes a
fresh day of ``--orders`` orders (a third of the parents short: on credit within the grace, or not
cooked past it), reads it bare (best of three), then freezes it in one transaction. Each round is a
new day, so every freeze is a real first freeze; the first round is also the cold one (a fresh
connection pool, nothing cached) and is printed on its own. Passes when the median round's freeze
takes at most 10x the bare read on PostgreSQL; exits 1 otherwise. After each freeze the money is
checked: what the orders record as charged is what the ledger took.
"""
import statistics
import argparse
import cProfile
import pstats
import os
import secrets
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A script's own folder comes first on sys.path, and bench/dispatch.py would shadow the dispatch package.
sys.path[:] = [str(ROOT / "bench" / "support"), str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from databases import throwaway_postgres  # noqa: E402  (bench/support is not a package)

TARGET_RATIO = 10.0
ITEMS = 10
FIRST_DAY = date(2025, 11, 10)


def production_app(url, instance_dir):
    """The app as the scheduler builds it: production configuration on ``url``."""
    os.environ.update({"STORE_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                       "STORE_INSTANCE_PATH": str(instance_dir), "RATELIMIT_STORAGE_URI": "memory://",
                       "RATELIMIT_SINGLE_PROCESS": "1"})
    from store_app import create_app

    return create_app()


def seed_people(db, count):
    """A store, its kitchen (3 staff), ``count`` parents (two in three with a full wallet) and a child
    each, and the menu; returns ``(store_id, child rows [(child_id, parent_id)], item rows)``."""
    from store_app.accounts.models import User
    from store_app.breakfast.models import BreakfastItem, BreakfastSettings, Child
    from store_app.stores.models import Store
    from store_app.wallet.models import Wallet

    store = Store(name="Bench Store", lat=31.2, lon=121.4, timezone="Asia/Shanghai")
    db.session.add(store)
    db.session.flush()
    db.session.add(BreakfastSettings(store_id=store.id, grace_breakfasts=2))
    users = [{"store_id": store.id, "phone": f"+86139{n:08d}", "name": f"Parent {n}", "password_hash": "x",
              "role": "resident"} for n in range(count)]
    users += [{"store_id": store.id, "phone": f"+86138{n:08d}", "name": f"Cook {n}", "password_hash": "x",
               "role": "staff"} for n in range(3)]
    db.session.execute(db.insert(User), users)
    parents = db.session.scalars(db.select(User.id).where(User.role == "resident").order_by(User.id)).all()
    db.session.execute(db.insert(Wallet), [{"user_id": p, "store_id": store.id, "balance_cents": 1_000_000}
                                           for n, p in enumerate(parents) if n % 3])
    db.session.execute(db.insert(Child), [{"store_id": store.id, "parent_id": p, "name": f"孩子{n}",
                                           "class_name": f"{n % 6 + 1}年级{n % 4 + 1}班", "school": "莲花小学",
                                           "allergies": "peanuts" if n % 7 == 0 else "",
                                           "feed_token": secrets.token_urlsafe(32)} for n, p in enumerate(parents)])
    db.session.execute(db.insert(BreakfastItem), [{
        "store_id": store.id, "name_zh": f"早餐{n}", "name_en": f"Breakfast {n}", "price_cents": 300 + 50 * n,
        "ingredients_zh": "面粉、鸡蛋、牛奶", "ingredients_en": "flour, eggs, milk", "allergens": "gluten,eggs,milk",
        "allergens_known": True, "daily_capacity": 10_000, "weekdays": 127, "position": n} for n in range(ITEMS)])
    children = db.session.execute(db.select(Child.id, Child.parent_id).order_by(Child.id)).all()
    items = db.session.execute(db.select(BreakfastItem.id, BreakfastItem.price_cents).order_by(BreakfastItem.id)).all()
    return store.id, children, items


def seed_day(db, store_id, day_date, children, items):
    """An open day on ``day_date`` with one placed order per child (two items each); returns the day."""
    from store_app.breakfast import rules
    from store_app.breakfast.models import BreakfastDay, BreakfastOrder, BreakfastOrderLine, DayItem

    times = rules.day_times(day_date, "Asia/Shanghai")
    day = BreakfastDay(store_id=store_id, date=day_date, status="open", opens_at=times.opens_at,
                       order_cutoff_at=times.order_cutoff_at, cancel_cutoff_at=times.cancel_cutoff_at,
                       pickup_start_at=times.pickup_start_at, pickup_end_at=times.pickup_end_at)
    db.session.add(day)
    db.session.flush()
    db.session.execute(db.insert(DayItem), [{"day_id": day.id, "item_id": i, "capacity": 10_000, "taken": 0, "held": 0}
                                            for i, _price in items])
    picks = [(items[n % ITEMS], items[(n + 3) % ITEMS]) for n in range(len(children))]
    db.session.execute(db.insert(BreakfastOrder), [{
        "store_id": store_id, "day_id": day.id, "child_id": child, "parent_id": parent, "status": "placed",
        "total_cents": a[1] + b[1], "charged_cents": 0, "owed_cents": 0, "code_nonce": secrets.token_hex(8),
        "code_hash": secrets.token_hex(16), "code_misses": 0, "created_at": times.opens_at}
        for (child, parent), (a, b) in zip(children, picks)])
    orders = db.session.scalars(db.select(BreakfastOrder.id).where(BreakfastOrder.day_id == day.id)
                                .order_by(BreakfastOrder.id)).all()
    db.session.execute(db.insert(BreakfastOrderLine), [
        {"order_id": order_id, "item_id": item[0], "quantity": 1, "price_cents": item[1]}
        for order_id, pair in zip(orders, picks) for item in pair])
    return day


def bare_read(db, day_id):
    """The same rows the freeze works on, read plainly: orders with their children, lines with items."""
    from store_app.breakfast.models import BreakfastItem, BreakfastOrder, BreakfastOrderLine, Child

    from store_app.wallet.models import Wallet

    db.session.execute(db.select(BreakfastOrder.id, BreakfastOrder.parent_id, BreakfastOrder.total_cents,
                                 Child.name, Child.class_name, Child.school, Child.allergies, Wallet.balance_cents)
                       .join(Child, Child.id == BreakfastOrder.child_id)
                       .outerjoin(Wallet, Wallet.user_id == BreakfastOrder.parent_id)
                       .where(BreakfastOrder.day_id == day_id)).all()
    db.session.execute(db.select(BreakfastOrderLine.order_id, BreakfastOrderLine.quantity, BreakfastItem)
                       .join(BreakfastItem, BreakfastItem.id == BreakfastOrderLine.item_id)
                       .join(BreakfastOrder, BreakfastOrder.id == BreakfastOrderLine.order_id)
                       .where(BreakfastOrder.day_id == day_id)).all()


def bench_database(label, url, args, instance_dir, checks):
    app = production_app(url, instance_dir)
    from store_app.breakfast import freeze
    from store_app.breakfast.models import BreakfastDay, BreakfastOrder, PrepSheet
    from store_app.database import transaction
    from store_app.extensions import db
    from store_app.stores.models import Store
    from store_app.wallet.models import WalletEntry

    with app.app_context():
        db.create_all()
        with transaction():
            store_id, children, items = seed_people(db, args.orders)
        ratios = []
        profiler = cProfile.Profile() if args.profile else None
        for round_ in range(args.rounds):
            day_date = FIRST_DAY + timedelta(days=round_)
            with transaction():
                day_id = seed_day(db, store_id, day_date, children, items).id
            db.session.remove()
            reads = []
            for _ in range(3):
                started = time.perf_counter()
                with transaction():
                    bare_read(db, day_id)
                reads.append(time.perf_counter() - started)
                db.session.remove()
            read_s = min(reads)
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            with transaction():
                store = db.session.get(Store, store_id)
                day = db.session.get(BreakfastDay, day_id)
                sheet = freeze.freeze_day(store, day, day.order_cutoff_at + timedelta(seconds=1))
                labels = len(sheet.content["labels"])
            freeze_s = time.perf_counter() - started
            if profiler:
                profiler.disable()
            db.session.remove()
            counts = dict(db.session.execute(db.select(BreakfastOrder.status, db.func.count())
                                             .where(BreakfastOrder.day_id == day_id)
                                             .group_by(BreakfastOrder.status)).all())
            assert db.session.scalar(db.select(db.func.count()).select_from(PrepSheet)
                                     .where(PrepSheet.day_id == day_id)) == 1
            # Every day so far: a later cutoff settles earlier days' breakfasts on credit.
            charged = db.session.scalar(db.select(db.func.coalesce(db.func.sum(BreakfastOrder.charged_cents), 0)))
            taken = -db.session.scalar(db.select(db.func.coalesce(db.func.sum(WalletEntry.amount_cents), 0))
                                       .where(WalletEntry.amount_cents < 0))
            assert charged == taken, f"orders record {charged} charged, the ledger took {taken}"
            assert "placed" not in counts
            ratios.append(freeze_s / read_s)
            print(f"{label} round {round_ + 1}: {args.orders} orders, bare read {read_s * 1000:.1f} ms, "
                  f"freeze {freeze_s * 1000:.1f} ms ({freeze_s / read_s:.1f}x); {labels} labels; {counts}")
        db.session.remove()
        db.drop_all()
    if profiler:
        print(f"\n{label}: where the freezes' time went (cumulative, top 25)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    ratio = statistics.median(ratios)
    spread = f"median of {len(ratios)} rounds; best {min(ratios):.1f}x, first (cold) {ratios[0]:.1f}x"
    if label == "PostgreSQL":
        checks.append((ratio <= TARGET_RATIO, f"{label}: freeze of {args.orders} orders takes {ratio:.1f}x the bare "
                                              f"read ({spread}; target <= {TARGET_RATIO:.0f}x)"))
    else:
        checks.append((None, f"{label}: freeze takes {ratio:.1f}x the bare read ({spread}; the target is checked "
                             "on PostgreSQL)"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000, help="orders on the day (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="days frozen, one after another (default 5)")
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite too when PostgreSQL is set")
    parser.add_argument("--profile", action="store_true", help="run the freezes under cProfile and print it")
    args = parser.parse_args()
    if not 10 <= args.orders <= 50_000 or not 1 <= args.rounds <= 10:
        parser.error("--orders must be 10..50000 and --rounds 1..10")
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    checks = []
    instance_dir = tempfile.mkdtemp(prefix="bench_breakfast_")
    try:
        if pg_url:
            with throwaway_postgres(pg_url, "bench_breakfast") as url:
                bench_database("PostgreSQL", url, args, instance_dir, checks)
        if args.sqlite or not pg_url:
            bench_database("SQLite", f"sqlite:///{instance_dir}/bench.sqlite3", args, instance_dir, checks)
        if not pg_url:
            checks.append((None, "PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL: target NOT checked"))
    finally:
        shutil.rmtree(instance_dir, ignore_errors=True)
    print("\n== targets")
    for ok, text in checks:
        print({True: "PASS  ", False: "MISS  ", None: "NOTE  "}[ok] + text)
    return 0 if all(ok is not False for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
