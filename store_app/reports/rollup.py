"""Writes the board's daily rollup (``DailyRollup``) from the raw tables of every line: a refresh of
a few days (the periodic job) or a rebuild of any range (``flask reports rebuild``). The board reads
only what this writes. Adds and flushes; the caller commits.

Besides the lines' metrics (``rollup_lines``), two sections of the store's own:

- ``residents``: ``dau`` (residents with a ``UserActivity`` row that day), ``wau`` / ``mau``
  (distinct residents active in the 7 / 30 days ending that day: as of the day, not additive);
  from growth's ``Purchase`` rows that were not cancelled: ``purchases``, ``returning_purchases``
  (by residents who had bought on an earlier day), ``new_buyers`` (residents whose first purchase
  was that day: the retention cohort of the day), ``retained_7`` / ``retained_30`` (of that cohort,
  active on day 7 / 30 after it exactly).
- ``growth``: ``coupon_cost_cents`` (``CouponGrant.discount_cents`` of copies used that day),
  ``coupon_orders`` (purchases that used a coupon), ``new_active`` (residents whose first
  completed purchase was that day); by the day a campaign member was assigned, for campaigns with
  a holdout: ``treated``, ``treated_converted``, ``holdout``, ``holdout_converted``;
  ``referral_spend_cents`` (both sides' reward points, at ``points_rules.POINT_VALUE_CENTS``, on the
  day they were paid, less rewards taken back on the day they were taken back).
"""
from collections import Counter, defaultdict
from datetime import timedelta

import numpy as np

from ..accounts.models import UserActivity
from ..database import upsert
from ..extensions import db
from ..growth.models import (
    Campaign, CampaignMember, CouponGrant, GrantStatus, Purchase, PurchaseStatus)
from ..growth.points_models import Referral
from ..growth.points_rules import POINT_VALUE_CENTS
from ..growth.referral_rules import REWARD_POINTS
from . import kpi_rules, rollup_lines
from .rollup_models import DailyRollup

WINDOWS = {"wau": 7, "mau": 30}
INSERT_CHUNK = 5000


def compute(store, period, now):
    """``{(day, line, metric): value}`` for the store's local days of ``period`` (no zeros)."""
    acc = Counter()
    tz = store.timezone
    rollup_lines.add_orders(acc, store.id, tz, period)
    rollup_lines.add_breakfast(acc, store.id, period)
    rollup_lines.add_services(acc, store.id, tz, period)
    rollup_lines.add_parcels(acc, store.id, tz, store.parcel_free_days, period, now)
    _add_activity(acc, store.id, period)
    _add_purchases(acc, store.id, tz, period)
    _add_growth(acc, store.id, tz, period)
    return {key: int(value) for key, value in acc.items() if value}


def refresh(store, period, now):
    """Replace the store's rollup rows of ``period``'s days by freshly computed ones; returns the
    number of rows written. Idempotent: running it twice leaves the same rows."""
    values = compute(store, period, now)
    db.session.execute(db.delete(DailyRollup).where(
        DailyRollup.store_id == store.id, DailyRollup.day >= period.first, DailyRollup.day <= period.last))
    rows = [{"store_id": store.id, "day": day, "line": line, "metric": metric, "value": value, "computed_at": now}
            for (day, line, metric), value in sorted(values.items())]
    table = DailyRollup.__table__
    for i in range(0, len(rows), INSERT_CHUNK):
        # A refresh racing another one (the job and a rebuild) keeps the later value, never fails.
        statement = upsert(table)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["store_id", "day", "line", "metric"],
            set_={"value": statement.excluded.value, "computed_at": statement.excluded.computed_at}),
            rows[i:i + INSERT_CHUNK])
    db.session.flush()
    return len(rows)


def refresh_recent(store, now):
    """The periodic job's pass: today and yesterday (store time), and the days whose 7- and 30-day
    retention just became known (the cohorts 7 and 30 days before them). Returns rows written."""
    today = kpi_rules.local_day(now, store.timezone)
    written = refresh(store, kpi_rules.Period(today - timedelta(days=1), today), now)
    for n in kpi_rules.RETENTION_DAYS:
        written += refresh(store, kpi_rules.Period(today - timedelta(days=n + 1), today - timedelta(days=n)), now)
    return written


def _add_activity(acc, store_id, period):
    """``dau`` per day, and ``wau`` / ``mau`` as distinct residents over the trailing windows."""
    widest = max(WINDOWS.values())
    rows = db.session.execute(db.select(UserActivity.user_id, UserActivity.day).where(
        UserActivity.store_id == store_id, UserActivity.day >= period.first - timedelta(days=widest - 1),
        UserActivity.day <= period.last)).all()
    if not rows:
        return
    origin = period.first - timedelta(days=widest - 1)
    users = {user: i for i, user in enumerate(sorted({user for user, _day in rows}))}
    span = (period.last - origin).days + 1
    active = np.zeros((len(users), span + 1), dtype=np.int32)  # column 0 stays empty: cumsum's zero
    for user, day in rows:
        active[users[user], (day - origin).days + 1] = 1
    running = np.cumsum(active, axis=1)
    for i, day in enumerate(period.dates()):
        column = (day - origin).days + 1
        acc[(day, "residents", "dau")] += int(active[:, column].sum())
        for metric, width in WINDOWS.items():
            acc[(day, "residents", metric)] += int(((running[:, column] - running[:, column - width]) > 0).sum())


def _first_purchases(store_id, completed=False):
    """``{user_id: first placed_at}`` of the store's purchases not cancelled (or ``{user_id: first
    completed_at}`` of completed ones)."""
    at = Purchase.completed_at if completed else Purchase.placed_at
    condition = (Purchase.status == PurchaseStatus.COMPLETED.value if completed
                 else Purchase.status != PurchaseStatus.CANCELLED.value)
    return dict(db.session.execute(db.select(Purchase.user_id, db.func.min(at))
                                   .where(Purchase.store_id == store_id, condition, at.is_not(None))
                                   .group_by(Purchase.user_id)).all())


def _add_purchases(acc, store_id, tz, period):
    """Purchases, returning purchases, new buyers and their N-day retention."""
    start, end = kpi_rules.utc_window(period, tz)
    first_day = kpi_rules.first_days(_first_purchases(store_id), tz)
    day_of = kpi_rules.local_day
    placed = db.session.execute(db.select(Purchase.user_id, Purchase.placed_at).where(
        Purchase.store_id == store_id, Purchase.status != PurchaseStatus.CANCELLED.value,
        Purchase.placed_at >= start, Purchase.placed_at < end))
    for user, placed_at in placed:
        day = day_of(placed_at, tz)
        acc[(day, "residents", "purchases")] += 1
        acc[(day, "residents", "returning_purchases")] += first_day.get(user, day) < day
    cohort = {user: day for user, day in first_day.items() if period.first <= day <= period.last}
    if not cohort:
        return
    longest = max(kpi_rules.RETENTION_DAYS)
    seen = defaultdict(set)
    for user, day in db.session.execute(db.select(UserActivity.user_id, UserActivity.day).where(
            UserActivity.store_id == store_id, UserActivity.day > period.first,
            UserActivity.day <= period.last + timedelta(days=longest), UserActivity.user_id.in_(list(cohort)))):
        seen[user].add(day)
    for day, (size, _kept) in kpi_rules.retention_cohorts(cohort, seen, 0).items():
        acc[(day, "residents", "new_buyers")] += size
    for n in kpi_rules.RETENTION_DAYS:
        for day, (_size, kept) in kpi_rules.retention_cohorts(cohort, seen, n).items():
            acc[(day, "residents", f"retained_{n}")] += kept


def _add_growth(acc, store_id, tz, period):
    """Coupon cost and attributable orders, new active residents, campaign members by holdout."""
    start, end = kpi_rules.utc_window(period, tz)
    day_of = kpi_rules.local_day
    refs = defaultdict(set)
    for used_at, discount, ref in db.session.execute(db.select(
            CouponGrant.used_at, CouponGrant.discount_cents, CouponGrant.purchase_ref).where(
            CouponGrant.store_id == store_id, CouponGrant.status == GrantStatus.USED.value,
            CouponGrant.used_at >= start, CouponGrant.used_at < end)):
        day = day_of(used_at, tz)
        acc[(day, "growth", "coupon_cost_cents")] += discount
        refs[day].add(ref)
    for day, found in refs.items():
        acc[(day, "growth", "coupon_orders")] += len(found)
    for user, at in _first_purchases(store_id, completed=True).items():
        if start <= at < end:
            acc[(day_of(at, tz), "growth", "new_active")] += 1
    members = db.session.execute(db.select(
        CampaignMember.assigned_at, CampaignMember.holdout, CampaignMember.converted_at)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .where(Campaign.store_id == store_id, Campaign.holdout_percent > 0,
               CampaignMember.assigned_at >= start, CampaignMember.assigned_at < end))
    for assigned_at, holdout, converted_at in members:
        group = "holdout" if holdout else "treated"
        day = day_of(assigned_at, tz)
        acc[(day, "growth", group)] += 1
        acc[(day, "growth", f"{group}_converted")] += converted_at is not None
    _add_referral_spend(acc, store_id, tz, start, end)


def _add_referral_spend(acc, store_id, tz, start, end):
    """Referral rewards (both sides) on the day they were paid, less those taken back on that day."""
    reward_cents = 2 * REWARD_POINTS * POINT_VALUE_CENTS
    for column, sign in ((Referral.rewarded_at, 1), (Referral.taken_back_at, -1)):
        for (at,) in db.session.execute(db.select(column).where(
                Referral.store_id == store_id, column >= start, column < end)):
            acc[(kpi_rules.local_day(at, tz), "growth", "referral_spend_cents")] += sign * reward_cents
