"""The owner's KPI board on a year of history: the board's p95 against a bare read of the rollup rows
in the same run, and the time to rebuild the rollup for the whole year.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/kpi.py

PostgreSQL in a throwaway database ``bench_kpi_<pid>`` on the server of BENCH_DATABASE_URL, else
TEST_DATABASE_URL (SQLite in a temp file when neither is set, or with --sqlite). It generates a year
of synthetic history for one store (Asia/Shanghai) with bulk inserts: ``--residents`` residents (5,000),
``--orders`` delivery, pickup and parcel-door orders (100,000), breakfasts, service bookings, parcels,
the purchases every line reports, coupons used, campaign members with a holdout, and residents'
daily activity. Then it rebuilds the rollup for the year (``flask reports rebuild``'s function,
timed), and measures, for a year, a month and a week, the board page (its data from the rollup and
the whole page rendered, as ``/console/board`` does for the owner) against a bare read of the same
range's rollup rows, ``--runs`` times each, interleaved. Passes when every range's board p95 is under
300 ms; exits 1 otherwise.
"""
import argparse
import gc
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# A script's own folder comes first on sys.path, and bench/dispatch.py would shadow the dispatch package.
sys.path[:] = [str(ROOT / "bench" / "support"), str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from databases import throwaway_postgres  # noqa: E402  (bench/support is not a package)

TARGET_MS = 300.0
TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2025, 12, 1)
DAYS = 365
NOW = datetime.combine(FIRST_DAY + timedelta(days=DAYS), clock(9), TZ).astimezone(timezone.utc)
CHUNK = 10_000


def production_app(url, instance_dir):
    """The app as a web worker builds it: production configuration on ``url``."""
    os.environ.update({"STORE_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                       "STORE_INSTANCE_PATH": str(instance_dir), "RATELIMIT_STORAGE_URI": "memory://",
                       "RATELIMIT_SINGLE_PROCESS": "1"})
    from store_app import create_app

    return create_app()


def local(day, minute_of_day):
    return datetime.combine(day, clock(0), TZ).astimezone(timezone.utc) + timedelta(minutes=minute_of_day)


def bulk(db, model, rows):
    """Insert plain dicts in batches (SQLAlchemy's insertmanyvalues: a few statements per batch)."""
    for i in range(0, len(rows), CHUNK):
        db.session.execute(db.insert(model.__table__), rows[i:i + CHUNK])


def seed_store(db, residents):
    """The store, its owner and ``residents`` residents; returns ``(store_id, owner_id, resident ids)``."""
    from werkzeug.security import generate_password_hash

    from store_app.accounts.models import User
    from store_app.stores.models import Store

    store = Store(name="Bench Store", address="1 Bench Rd", lat=31.2, lon=121.4, timezone="Asia/Shanghai",
                  phone="021-0000 0000")
    db.session.add(store)
    db.session.flush()
    hashed = generate_password_hash("bench-password", method="scrypt:1024:8:1")
    owner = User(store_id=store.id, phone="+8613700000000", name="Owner", password_hash=hashed, role="owner")
    db.session.add(owner)
    bulk(db, User, [{"store_id": store.id, "phone": f"+86139{i:08d}", "name": f"居民{i}", "password_hash": hashed,
                     "role": "resident", "created_at": local(FIRST_DAY, 0)} for i in range(residents)])
    ids = db.session.scalars(db.select(User.id).where(User.role == "resident").order_by(User.id)).all()
    return store.id, owner.id, ids


def seed_orders(db, rng, store_id, residents, count):
    """``count`` orders over the year (7 in 10 delivered to the door, 2 picked up, 1 parcels only) and
    their purchases; returns the purchases' ``(user, placed_at, ref)`` for coupons."""
    from store_app.growth.models import Purchase
    from store_app.orders.models import Order

    orders, purchases = [], []
    for i in range(count):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        placed_at = local(day, rng.randrange(7 * 60, 23 * 60))
        user = rng.choice(residents)
        kind = rng.random()
        fulfilment = "pickup" if kind < 0.2 else "delivery"
        parcels_only = kind > 0.9
        total = 300 if parcels_only else rng.randrange(1500, 20000)
        status = rng.choices(("delivered", "cancelled", "failed"), (95, 4, 1))[0]
        if fulfilment == "pickup" and status != "cancelled":
            status = "collected"
        delivered_at = (placed_at + timedelta(minutes=max(8, rng.gauss(27, 9)))
                        if status == "delivered" else None)
        orders.append({"store_id": store_id, "user_id": user, "status": status, "idempotency_key": f"b{i}",
                       "address_text": "莲花苑 3号楼, 1-101", "lat": 31.2, "lon": 121.4, "zone_name": "A",
                       "subtotal_cents": 0 if parcels_only else total, "parcel_fee_cents": 300 if parcels_only else 0,
                       "delivery_fee_cents": 0, "discount_cents": 0, "total_cents": total,
                       "refunded_cents": rng.randrange(0, total // 2) if rng.random() < 0.03 else 0,
                       "payment_method": "wallet", "delivery_code": "1234", "delivery_code_misses": 0,
                       "eta_minutes": 30, "promised_at": placed_at + timedelta(minutes=30), "placed_at": placed_at,
                       "delivered_at": delivered_at, "fulfilment": fulfilment, "note": ""})
        purchases.append({"store_id": store_id, "user_id": user, "line": "parcel_door" if parcels_only else fulfilment,
                          "ref": f"order:{i}", "status": "cancelled" if status in ("cancelled", "failed")
                          else "completed", "goods_cents": total, "fee_cents": 0, "discount_cents": 0,
                          "refunded_cents": 0, "placed_at": placed_at,
                          "completed_at": delivered_at or placed_at + timedelta(minutes=40)})
    bulk(db, Order, orders)
    bulk(db, Purchase, purchases)
    return [(p["user_id"], p["placed_at"], p["ref"]) for p in purchases if p["status"] == "completed"]


def seed_breakfast(db, rng, store_id, residents):
    """A breakfast day on each weekday of the year with about 60 orders; returns how many orders."""
    from store_app.breakfast.models import BreakfastDay, BreakfastOrder, Child

    parents = residents[:1000]
    bulk(db, Child, [{"store_id": store_id, "parent_id": p, "name": "小明", "feed_token": secrets.token_urlsafe(32)}
                     for p in parents])
    children = db.session.execute(db.select(Child.id, Child.parent_id)).all()
    days = []
    for n in range(DAYS):
        day = FIRST_DAY + timedelta(days=n)
        if day.weekday() < 5:
            start = local(day, 6 * 60 + 30)
            days.append({"store_id": store_id, "date": day, "status": "done", "opens_at": start - timedelta(days=3),
                         "order_cutoff_at": start - timedelta(hours=9), "cancel_cutoff_at": start - timedelta(hours=9),
                         "pickup_start_at": start, "pickup_end_at": start + timedelta(hours=2)})
    bulk(db, BreakfastDay, days)
    rows = []
    for day_id in db.session.scalars(db.select(BreakfastDay.id)):
        for child_id, parent_id in rng.sample(children, 60):
            status = rng.choices(("collected", "no_show", "cancelled"), (90, 5, 5))[0]
            rows.append({"store_id": store_id, "day_id": day_id, "child_id": child_id, "parent_id": parent_id,
                         "status": status, "total_cents": 800, "charged_cents": 800, "owed_cents": 0,
                         "charge_note": "on_credit" if rng.random() < 0.03 else "", "code_misses": 0})
    bulk(db, BreakfastOrder, rows)
    return len(rows)


def seed_services(db, rng, store_id, residents, count):
    """``count`` completed service jobs with their commission, a few complaints."""
    from services.booking_models import Booking, Claim, VendorLedgerEntry
    from services.models import Offering, ServiceCategory, Vendor
    from store_app.accounts.models import User

    category = ServiceCategory(store_id=store_id, slug="cleaning", name_zh="保洁", name_en="Cleaning")
    owner = User(store_id=store_id, phone="+8613600000000", name="Vendor", password_hash="x", role="vendor")
    db.session.add_all([category, owner])
    db.session.flush()
    vendor = Vendor(store_id=store_id, owner_id=owner.id, kind="company", name="洁净", phone=owner.phone,
                    vetting="approved")
    db.session.add(vendor)
    db.session.flush()
    offering = Offering(vendor_id=vendor.id, category_id=category.id, title_zh="保洁", title_en="Cleaning",
                        duration_min=120, price_model="fixed", price_cents=20000)
    db.session.add(offering)
    db.session.flush()
    rows = []
    for _ in range(count):
        requested_at = local(FIRST_DAY + timedelta(days=rng.randrange(DAYS)), rng.randrange(8 * 60, 20 * 60))
        starts_at = requested_at + timedelta(days=1)
        rows.append({"store_id": store_id, "resident_id": rng.choice(residents), "offering_id": offering.id,
                     "category_id": category.id, "vendor_id": vendor.id, "status": "completed",
                     "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2), "block_start_at": starts_at,
                     "block_end_at": starts_at + timedelta(hours=2), "price_model": "fixed", "price_cents": 20000,
                     "commission_bps": 1500, "photos": [], "completion_photos": [], "requested_at": requested_at,
                     "accepted_at": requested_at + timedelta(minutes=rng.randrange(2, 90)),
                     "created_at": requested_at, "completed_at": starts_at + timedelta(hours=3)})
    bulk(db, Booking, rows)
    jobs = db.session.execute(db.select(Booking.id, Booking.resident_id, Booking.completed_at)).all()
    bulk(db, VendorLedgerEntry, [{"vendor_id": vendor.id, "booking_id": b, "kind": "commission",
                                  "amount_cents": -3000, "created_at": at} for b, _r, at in jobs])
    bulk(db, Claim, [{"booking_id": b, "resident_id": r, "vendor_id": vendor.id, "kind": "redo", "text": "没做好",
                      "photos": [], "status": "redo", "decide_by_at": at + timedelta(days=2)}
                     for b, r, at in jobs if rng.random() < 0.05])


def seed_parcels(db, rng, store_id, count):
    from store_app.parcels.models import Parcel

    rows = []
    for i in range(count):
        checked_in_at = local(FIRST_DAY + timedelta(days=rng.randrange(DAYS)), rng.randrange(8 * 60, 21 * 60))
        hours = rng.expovariate(1 / 20)
        returned = hours > 7 * 24
        rows.append({"store_id": store_id, "tracking_number": f"SF{i:010d}", "carrier": "顺丰",
                     "recipient_phone": "+8613900000001", "status": "returned" if returned else "collected",
                     "checked_in_at": checked_in_at, "code_misses": 0, "fee_cents": 0,
                     "collected_at": None if returned else checked_in_at + timedelta(hours=hours),
                     "returned_at": checked_in_at + timedelta(days=7) if returned else None})
    bulk(db, Parcel, rows)


def seed_activity(db, rng, store_id, residents):
    """Each resident active on a share of the year's days (their own habit); returns the row count."""
    from store_app.accounts.models import UserActivity

    rows = []
    for user in residents:
        habit = rng.uniform(0.03, 0.4)
        for n in range(DAYS):
            if rng.random() < habit:
                day = FIRST_DAY + timedelta(days=n)
                rows.append({"store_id": store_id, "user_id": user, "day": day, "first_at": local(day, 12 * 60)})
    bulk(db, UserActivity, rows)
    return len(rows)


def seed_growth(db, rng, store_id, purchases, residents):
    """A coupon used on one purchase in ten; a campaign over 3,000 residents (at most) with a 10 % holdout."""
    from store_app.growth.models import Campaign, CampaignMember, Coupon, CouponGrant

    start, end = local(FIRST_DAY, 0), local(FIRST_DAY + timedelta(days=DAYS), 0)
    coupon = Coupon(store_id=store_id, kind="spend_save", title_zh="满50减5", title_en="5 off 50",
                    amount_off_cents=500, starts_at=start, ends_at=end, per_user_limit=1000)
    campaign = Campaign(store_id=store_id, name="Spring", segment="active", holdout_percent=10, starts_at=start,
                        ends_at=end)
    db.session.add_all([coupon, campaign])
    db.session.flush()
    used = [p for p in purchases if rng.random() < 0.1]
    seqs = {}
    grants = []
    for user, at, ref in used:
        seqs[user] = seqs.get(user, 0) + 1
        grants.append({"coupon_id": coupon.id, "user_id": user, "store_id": store_id, "seq": seqs[user],
                       "source": "claim", "status": "used", "purchase_ref": ref, "discount_cents": 500,
                       "granted_at": at - timedelta(days=1), "expires_at": end, "used_at": at})
    bulk(db, CouponGrant, grants)
    members = []
    for user in rng.sample(residents, min(3000, len(residents))):
        assigned = local(FIRST_DAY + timedelta(days=rng.randrange(DAYS)), 600)
        holdout = rng.random() < 0.1
        converted = rng.random() < (0.15 if holdout else 0.22)
        members.append({"campaign_id": campaign.id, "user_id": user, "holdout": holdout, "assigned_at": assigned,
                        "converted_at": assigned + timedelta(days=2) if converted else None})
    bulk(db, CampaignMember, members)


def p95(samples):
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def measure(app, db, store_id, owner_id, runs):
    """``{range name: (board p95 s, bare p95 s)}``: the board page and a bare read, interleaved."""
    from flask_login import login_user

    from store_app.accounts.models import User
    from store_app.reports import board_views, kpi_rules
    from store_app.reports.rollup_models import DailyRollup

    last = FIRST_DAY + timedelta(days=DAYS - 1)
    ranges = {"year": kpi_rules.Period(FIRST_DAY, last),
              "month": kpi_rules.Period(last - timedelta(days=29), last),
              "week": kpi_rules.Period(last - timedelta(days=6), last)}
    found = {}
    for name, period in ranges.items():
        board_times, bare_times = [], []
        query = f"/console/board?from={period.first.isoformat()}&to={period.last.isoformat()}"
        for run in range(runs + 2):
            started = time.perf_counter()
            rows = db.session.execute(db.select(DailyRollup.day, DailyRollup.line, DailyRollup.metric,
                                                DailyRollup.value)
                                      .where(DailyRollup.store_id == store_id, DailyRollup.day >= period.first,
                                             DailyRollup.day <= period.last)).all()
            bare = time.perf_counter() - started
            db.session.remove()
            with app.test_request_context(query, base_url="https://localhost"):
                login_user(db.session.get(User, owner_id))
                started = time.perf_counter()
                html, status = board_views.page()
                page = time.perf_counter() - started
                assert status == 200 and "kpi-tile" in html
            db.session.remove()
            if run >= 2:  # two warm-up runs: templates compiled, connections open
                board_times.append(page)
                bare_times.append(bare)
        found[name] = (p95(board_times), p95(bare_times), len(rows), statistics.median(board_times),
                       statistics.median(bare_times))
    return found


def bench(label, url, args, instance_dir):
    app = production_app(url, instance_dir)
    from store_app.database import transaction
    from store_app.extensions import db
    from store_app.reports import cli as reports_cli, kpi_rules
    from store_app.reports.rollup_models import DailyRollup
    from store_app.stores.models import Store

    rng = random.Random(14)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        with transaction():
            store_id, owner_id, residents = seed_store(db, args.residents)
            purchases = seed_orders(db, rng, store_id, residents, args.orders)
            breakfasts = seed_breakfast(db, rng, store_id, residents)
            seed_services(db, rng, store_id, residents, args.orders // 30)
            seed_parcels(db, rng, store_id, args.orders // 3)
            activity = seed_activity(db, rng, store_id, residents)
            seed_growth(db, rng, store_id, purchases, residents)
        del purchases, residents
        if url.startswith("postgresql"):
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        print(f"{label}: generated {args.orders:,} orders, {breakfasts:,} breakfasts, {args.orders // 30:,} service "
              f"jobs, {args.orders // 3:,} parcels, {activity:,} activity rows for {args.residents:,} residents "
              f"in {time.perf_counter() - started:.1f} s")
        db.session.remove()
        started = time.perf_counter()
        store = db.session.get(Store, store_id)
        written = reports_cli.rebuild(store, kpi_rules.Period(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1)), NOW)
        rebuild_s = time.perf_counter() - started
        print(f"{label}: rollup rebuild of the whole year: {rebuild_s:.1f} s ({written:,} rollup rows)")
        db.session.remove()
        assert db.session.scalar(db.select(db.func.count()).select_from(DailyRollup)) == written
        # A web worker's steady state: the generator's garbage gone, nothing left for the collector to walk.
        gc.collect()
        gc.freeze()
        results = measure(app, db, store_id, owner_id, args.runs)
    checks = []
    for name, (board_s, bare_s, rows, board_median, bare_median) in results.items():
        ratio = board_s / bare_s
        print(f"{label} {name:>5}: board p95 {board_s * 1000:7.1f} ms (median {board_median * 1000:6.1f}), bare read "
              f"of its {rows:,} rollup rows p95 {bare_s * 1000:6.1f} ms (median {bare_median * 1000:6.1f}), "
              f"ratio of p95s {ratio:5.1f}x ({args.runs} runs)")
        checks.append((board_s * 1000 < TARGET_MS, f"{label} {name}: board p95 {board_s * 1000:.0f} ms "
                       f"(target < {TARGET_MS:.0f} ms), {ratio:.1f}x the bare read"))
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=40, help="board renders per range (p95 over them)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite in a temp file instead of PostgreSQL")
    args = parser.parse_args()
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    instance_dir = Path(tempfile.mkdtemp(prefix="bench_kpi_"))
    try:
        if pg_url and not args.sqlite:
            with throwaway_postgres(pg_url, "bench_kpi") as url:
                checks = bench("PostgreSQL", url, args, instance_dir)
        else:
            checks = bench("SQLite", f"sqlite:///{instance_dir / 'bench.sqlite3'}", args, instance_dir)
    finally:
        shutil.rmtree(instance_dir, ignore_errors=True)
    print("\n== targets")
    for ok, text in checks:
        print(("PASS  " if ok else "MISS  ") + text)
    sys.exit(0 if all(ok for ok, _text in checks) else 1)


if __name__ == "__main__":
    main()
