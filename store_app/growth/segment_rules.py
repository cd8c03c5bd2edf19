"""Segments of residents by recency, frequency, spend and line: pure rules on plain facts.

Days are calendar days in the store's time zone. "The last N days" are today and the N-1 local
dates before it, so a purchase at 23:30 store time yesterday and one at 00:30 today fall on two
different days, whatever UTC says.

Definitions (what the console shows beside each segment):

- ``new``: registered in the last 30 days, or whose only purchase ever falls in the last 30 days.
- ``active``: at least one purchase in the last 30 days.
- ``dormant``: bought before, but nothing in the last 30 days.
- ``high_value``: spent at least ``HIGH_VALUE_MIN_CENTS`` in the last 90 days and is among the top
  ``HIGH_VALUE_TOP_PERCENT`` % of that period's spenders (ranked by spend, ties by resident id).
- ``breakfast_parents``: parents with an active breakfast subscription, as the breakfast line tells
  growth through a provider (``segments.provide``); without one, residents with a breakfast
  purchase in the last ``BREAKFAST_DAYS`` days.

A purchase counts when it was not cancelled; its spend is what was paid (goods and fees) less
what was refunded.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

RECENT_DAYS = 30
HIGH_VALUE_DAYS = 90
HIGH_VALUE_MIN_CENTS = 30_000        # ¥300 in 90 days
HIGH_VALUE_TOP_PERCENT = 20
BREAKFAST_DAYS = 14
SEGMENT_KEYS = ("new", "active", "dormant", "high_value", "breakfast_parents")


@dataclass(frozen=True)
class ResidentFact:
    """A resident of the store: who and since when (aware UTC)."""

    user_id: int
    registered_at: datetime


@dataclass(frozen=True)
class PurchaseFact:
    """One purchase as the segments see it (cancelled ones are left out before)."""

    user_id: int
    line: str
    spend_cents: int
    placed_at: datetime


def window_start(now, tz_name, days):
    """The aware UTC instant at which "the last ``days`` days" begin: local midnight ``days - 1``
    local dates before today's."""
    tz = ZoneInfo(tz_name)
    today = now.astimezone(tz).date()
    return datetime.combine(today - timedelta(days=days - 1), time(0), tz)


def compute_segments(residents, purchases, *, now, tz_name, breakfast_parents=None):
    """``{key: frozenset(user ids)}`` for every key of ``SEGMENT_KEYS``; only ``residents`` are
    placed. ``breakfast_parents``: the line's own list of parents, when it gave one (else the
    breakfast purchases of the last ``BREAKFAST_DAYS`` days stand in)."""
    ids = {r.user_id for r in residents}
    recent = window_start(now, tz_name, RECENT_DAYS)
    by_user = {}
    for fact in purchases:
        if fact.user_id in ids and fact.placed_at <= now:
            by_user.setdefault(fact.user_id, []).append(fact)
    active = {uid for uid, facts in by_user.items() if any(f.placed_at >= recent for f in facts)}
    dormant = set(by_user) - active
    new = {r.user_id for r in residents if r.registered_at >= recent}
    new |= {uid for uid, facts in by_user.items() if len(facts) == 1 and facts[0].placed_at >= recent}
    if breakfast_parents is None:
        since = window_start(now, tz_name, BREAKFAST_DAYS)
        breakfast = {uid for uid, facts in by_user.items()
                     if any(f.line == "breakfast" and f.placed_at >= since for f in facts)}
    else:
        breakfast = set(breakfast_parents) & ids
    return {"new": frozenset(new), "active": frozenset(active), "dormant": frozenset(dormant),
            "high_value": frozenset(high_value(by_user, now=now, tz_name=tz_name)),
            "breakfast_parents": frozenset(breakfast)}


def high_value(by_user, *, now, tz_name):
    """The residents among the top ``HIGH_VALUE_TOP_PERCENT`` % of the last 90 days' spenders whose
    spend there is at least ``HIGH_VALUE_MIN_CENTS`` (``by_user``: user id -> facts)."""
    since = window_start(now, tz_name, HIGH_VALUE_DAYS)
    spend = {uid: sum(f.spend_cents for f in facts if f.placed_at >= since) for uid, facts in by_user.items()}
    spenders = sorted((uid for uid, cents in spend.items() if cents > 0), key=lambda uid: (-spend[uid], uid))
    top = max(1, -(-len(spenders) * HIGH_VALUE_TOP_PERCENT // 100)) if spenders else 0
    return {uid for uid in spenders[:top] if spend[uid] >= HIGH_VALUE_MIN_CENTS}
