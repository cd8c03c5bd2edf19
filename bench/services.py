"""Service marketplace slot speed: the bookable slots of one category for the next 14 days, across 50
vendors with 3 crews each and a realistic load of bookings, through the real code path
(``services.catalog.category_slots``: the reads, then ``slot_rules.bookable_slots`` per offering),
against a bare read of the same availability and booking rows in the same run. Then 20 residents book
at once (threads, ``services.booking.book`` as the API calls it) and the outcome and time are printed.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/services.py

PostgreSQL in a throwaway database ``bench_services_<pid>`` on the server of BENCH_DATABASE_URL, else
TEST_DATABASE_URL (SQLite in a temp file when neither is set, or with --sqlite). Every timed slot
computation starts with the rule cache cleared (the uncached number; the warm one is printed beside
it). Passes when the median uncached computation takes at most 10x the bare read on PostgreSQL.
"""
import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, time as clock_time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# A script's own folder comes first on sys.path, and bench/dispatch.py would shadow the dispatch package.
sys.path[:] = [str(ROOT / "bench" / "support"), str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from databases import throwaway_postgres  # noqa: E402  (bench/support is not a package)

TARGET_RATIO = 10.0
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 0, 0, tzinfo=timezone.utc)  # Monday 08:00 in Shanghai
VENDORS, CREWS, DAYS = 50, 3, 14
RACERS = 20


def production_app(url, instance_dir):
    """The app as the web workers build it: production configuration on ``url``."""
    os.environ.update({"STORE_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                       "STORE_INSTANCE_PATH": str(instance_dir), "RATELIMIT_STORAGE_URI": "memory://",
                       "RATELIMIT_SINGLE_PROCESS": "1"})
    from store_app import create_app

    return create_app()


def local(day, hour, minute=0):
    return datetime.combine(day, clock_time(hour, minute), SHANGHAI).astimezone(timezone.utc)


def seed(db):
    """A store, a cleaning category, 50 vendors x 3 crews with daily availability 08:00-20:00, one
    offering each (2 h with 15 min buffers), and about two bookings per crew per day; 20 residents.
    Returns ``(store_id, category_id, resident rows)``."""
    from services.booking_models import Booking
    from services.models import AvailabilityRule, Crew, Offering, ServiceCategory, Vendor, vendor_categories
    from store_app.accounts.models import Address, User
    from store_app.geo.models import Building
    from store_app.stores.models import Store
    from store_app.wallet.models import Wallet

    store = Store(name="Bench Store", lat=31.2, lon=121.4, timezone="Asia/Shanghai")
    db.session.add(store)
    db.session.flush()
    category = ServiceCategory(store_id=store.id, slug="cleaning", name_zh="家政保洁", name_en="Cleaning")
    building = Building(store_id=store.id, lat=31.2005, lon=121.4005)
    building.set_names("莲花苑 1号楼", [], "Lotus Garden 1")
    db.session.add_all([category, building])
    db.session.flush()
    people = [{"store_id": store.id, "phone": f"+86137{n:08d}", "name": f"Vendor {n}", "password_hash": "x",
               "role": "vendor"} for n in range(VENDORS)]
    people += [{"store_id": store.id, "phone": f"+86139{n:08d}", "name": f"Resident {n}", "password_hash": "x",
                "role": "resident"} for n in range(RACERS + 1)]
    db.session.execute(db.insert(User), people)
    owners = db.session.scalars(db.select(User.id).where(User.role == "vendor").order_by(User.id)).all()
    residents = db.session.scalars(db.select(User.id).where(User.role == "resident").order_by(User.id)).all()
    db.session.execute(db.insert(Vendor), [{
        "store_id": store.id, "owner_id": owner, "kind": "company", "name": f"保洁{n}", "phone": f"+86137{n:08d}",
        "licence_number": "91350100M000100Y43", "vetting": "approved", "standing": "good", "score": (n % 10) / 10,
        "min_notice_min": 120} for n, owner in enumerate(owners)])
    vendors = db.session.scalars(db.select(Vendor.id).order_by(Vendor.id)).all()
    db.session.execute(db.insert(vendor_categories), [{"vendor_id": v, "category_id": category.id} for v in vendors])
    db.session.execute(db.insert(Crew), [{"vendor_id": v, "label": f"Crew {c}"} for v in vendors for c in range(CREWS)])
    db.session.execute(db.insert(AvailabilityRule), [{"vendor_id": v, "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
                                                      "start_min": 8 * 60, "end_min": 20 * 60, "crews": CREWS}
                                                     for v in vendors])
    db.session.execute(db.insert(Offering), [{
        "vendor_id": v, "category_id": category.id, "title_zh": "日常保洁", "title_en": "Home cleaning",
        "duration_min": 120, "buffer_before_min": 15, "buffer_after_min": 15, "price_model": "fixed",
        "price_cents": 20000, "photos": [], "is_active": True} for v in vendors])
    offerings = dict(db.session.execute(db.select(Offering.vendor_id, Offering.id)).all())
    crews = db.session.execute(db.select(Crew.id, Crew.vendor_id).order_by(Crew.id)).all()
    db.session.execute(db.insert(Address), [{"user_id": r, "store_id": store.id, "building_id": building.id,
                                             "unit": f"1-{n:03d}", "is_default": True}
                                            for n, r in enumerate(residents)])
    db.session.execute(db.insert(Wallet), [{"user_id": r, "store_id": store.id, "balance_cents": 1_000_000}
                                           for r in residents])
    rows = []
    for n, (crew_id, vendor_id) in enumerate(crews):
        for offset in range(DAYS):
            day = (NOW.astimezone(SHANGHAI) + timedelta(days=offset)).date()
            for hour in ((9, 14) if (n + offset) % 3 else (11,)):
                starts_at = local(day, hour)
                rows.append({
                    "store_id": store.id, "resident_id": residents[-1], "offering_id": offerings[vendor_id],
                    "category_id": category.id, "vendor_id": vendor_id, "crew_id": crew_id,
                    "status": "accepted" if offset < 3 else "requested", "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(hours=2), "block_start_at": starts_at - timedelta(minutes=15),
                    "block_end_at": starts_at + timedelta(hours=2, minutes=15), "price_model": "fixed",
                    "price_cents": 20000, "commission_bps": 1500, "payment_method": "wallet", "held_cents": 20000,
                    "photos": [], "completion_photos": [], "created_at": NOW, "address_text": "", "description": ""})
    db.session.execute(db.insert(Booking), rows)
    return store.id, category.id, residents[:RACERS], len(rows)


def bare_read(db, category_id):
    """The same rows the slot computation reads, plainly: offerings with vendors, crews, rules,
    exceptions, and the crews' bookings in the range."""
    from services.booking_models import Booking
    from services.models import AvailabilityException, AvailabilityRule, Crew, Offering, Vendor

    vendor_ids = [row.vendor_id for row in db.session.execute(
        db.select(Offering.id, Offering.vendor_id, Offering.duration_min, Vendor.score)
        .join(Vendor, Vendor.id == Offering.vendor_id).where(Offering.category_id == category_id)).all()]
    crew_ids = [row.id for row in db.session.execute(db.select(Crew.id).where(Crew.vendor_id.in_(vendor_ids))).all()]
    db.session.execute(db.select(AvailabilityRule).where(AvailabilityRule.vendor_id.in_(vendor_ids))).all()
    db.session.execute(db.select(AvailabilityException).where(AvailabilityException.vendor_id.in_(vendor_ids))).all()
    db.session.execute(db.select(Booking.crew_id, Booking.block_start_at, Booking.block_end_at, Booking.status,
                                 Booking.hold_expires_at)
                       .where(Booking.crew_id.in_(crew_ids), Booking.block_start_at < NOW + timedelta(days=DAYS + 2),
                              Booking.block_end_at > NOW - timedelta(days=1))).all()


def race(app, db, store_id, category_id, residents):
    """20 residents book at once: each one of the first five free starts of the best offering."""
    from services import booking, catalog
    from services.errors import ServiceError, SlotTaken
    from services.models import Offering
    from store_app.accounts.models import User
    from store_app.database import transaction
    from store_app.stores.models import Store

    store = db.session.get(Store, store_id)
    offering = catalog.list_offerings(store_id, category_id)[0]
    # Five starts far enough apart that each can take all three crews: up to 15 bookings, 5 losers.
    starts = [slot.starts_at for slot in catalog.list_slots(offering, store, NOW)][::6][:5]
    offering_id = offering.id
    db.session.remove()
    barrier = threading.Barrier(len(residents))
    outcomes = [None] * len(residents)

    def work(i):
        with app.app_context():
            resident = db.session.get(User, residents[i])
            address_id = resident.addresses[0].id
            offer = db.session.get(Offering, offering_id)
            here = db.session.get(Store, store_id)
            db.session.commit()
            barrier.wait()
            try:
                with transaction():
                    booking.book(resident, offer, starts[i % len(starts)], store=here, address_id=address_id,
                                 description="", payment_method="wallet", now=NOW, idempotency_key=f"bench-{i:04d}")
                outcomes[i] = "booked"
            except SlotTaken:
                outcomes[i] = "taken (409)"
            except ServiceError as exc:
                outcomes[i] = f"refused {type(exc).__name__}"
            except Exception as exc:  # noqa: BLE001 -- a bench reports every outcome
                outcomes[i] = f"ERROR {type(exc).__name__}"

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(residents))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes), time.perf_counter() - started, len(starts)


def bench_database(label, url, args, instance_dir, checks):
    app = production_app(url, instance_dir)
    from services import catalog, slot_rules
    from store_app.database import transaction
    from store_app.extensions import db
    from store_app.stores.models import Store

    with app.app_context():
        db.create_all()
        with transaction():
            store_id, category_id, residents, bookings = seed(db)
        ratios, computes, warm = [], [], []
        for round_ in range(args.rounds):
            reads = []
            for _ in range(3):
                started = time.perf_counter()
                with transaction():
                    bare_read(db, category_id)
                reads.append(time.perf_counter() - started)
                db.session.remove()
            read_s = min(reads)
            slot_rules._rule_days.cache_clear()  # the uncached number
            started = time.perf_counter()
            with transaction():
                found = catalog.category_slots(db.session.get(Store, store_id), category_id, NOW, days=DAYS)
            compute_s = time.perf_counter() - started
            db.session.remove()
            started = time.perf_counter()
            with transaction():
                catalog.category_slots(db.session.get(Store, store_id), category_id, NOW, days=DAYS)
            warm.append(time.perf_counter() - started)
            db.session.remove()
            ratios.append(compute_s / read_s)
            computes.append(compute_s)
            print(f"{label} round {round_ + 1}: {len(found)} offerings, {sum(map(len, found.values()))} slots over "
                  f"{DAYS} days ({bookings} bookings); bare read {read_s * 1000:.1f} ms, slots uncached "
                  f"{compute_s * 1000:.1f} ms ({compute_s / read_s:.1f}x), warm {warm[-1] * 1000:.1f} ms")
        outcome, race_s, distinct = race(app, db, store_id, category_id, residents)
        print(f"{label}: {RACERS} residents booking {distinct} starts of one 3-crew vendor at once: "
              f"{dict(outcome)} in {race_s * 1000:.0f} ms")
        db.session.remove()
        db.drop_all()
    ratio = statistics.median(ratios)
    spread = (f"median of {len(ratios)} rounds, uncached: {statistics.median(computes) * 1000:.1f} ms; "
              f"best {min(ratios):.1f}x")
    errors = sum(count for kind, count in outcome.items() if kind.startswith("ERROR"))
    checks.append((errors == 0 and outcome.get("booked", 0) <= distinct * 3,
                   f"{label}: concurrent bookings: {dict(outcome)} (at most {distinct * 3} can be booked, no errors)"))
    if label == "PostgreSQL":
        checks.append((ratio <= TARGET_RATIO, f"{label}: 14 days of slots for 50 vendors take {ratio:.1f}x the bare "
                                              f"read ({spread}; target <= {TARGET_RATIO:.0f}x)"))
    else:
        checks.append((None, f"{label}: slots take {ratio:.1f}x the bare read ({spread}; the target is checked "
                             "on PostgreSQL)"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed computations (default 5)")
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite too when PostgreSQL is set")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be 1..20")
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    checks = []
    instance_dir = tempfile.mkdtemp(prefix="bench_services_")
    try:
        if pg_url:
            with throwaway_postgres(pg_url, "bench_services") as url:
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
