"""Segments of a store's residents (new, active, dormant, high-value, breakfast parents), computed
from growth's ``Purchase`` rows by the periodic job ``growth:segments:<store id>`` and kept as
``SegmentMember`` rows. The definitions are ``segment_rules``' docstring.

Breakfast subscriptions live in the breakfast line, above growth: growth cannot read them. The line
registers a provider instead (``provide("breakfast_parents", fn)``, ``fn(store_id, now)`` -> user
ids), at app creation; without a provider the breakfast purchases of the last 14 days stand in.
"""
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..database import upsert
from ..extensions import db
from ..roles import Role
from ..stores.operations import get_store
from . import segment_rules
from .models import Purchase, PurchaseStatus, SegmentMember

SEGMENTS = {
    "new": _l("New residents"),
    "active": _l("Active residents"),
    "dormant": _l("Dormant residents"),
    "high_value": _l("High-value residents"),
    "breakfast_parents": _l("Parents with a breakfast subscription"),
}
DEFINITIONS = {
    "new": _l("Registered in the last 30 days, or whose only purchase was in the last 30 days."),
    "active": _l("At least one purchase in the last 30 days."),
    "dormant": _l("Bought before, but nothing in the last 30 days."),
    "high_value": _l("Spent at least ¥%(min)s in the last 90 days and among the top %(top)s %% of spenders.",
                     min=segment_rules.HIGH_VALUE_MIN_CENTS // 100, top=segment_rules.HIGH_VALUE_TOP_PERCENT),
    "breakfast_parents": _l("Parents with an active breakfast subscription."),
}
_providers = {}


def provide(key, fn):
    """Let a line above growth say who is in segment ``key``: ``fn(store_id, now)`` -> user ids."""
    if key not in SEGMENTS:
        raise KeyError(key)
    _providers[key] = fn


def is_segment(key):
    """Whether ``key`` names a segment."""
    return key in SEGMENTS


def _facts(store_id, now):
    residents = [segment_rules.ResidentFact(uid, created_at) for uid, created_at in db.session.execute(
        db.select(User.id, User.created_at).where(User.store_id == store_id, User.role == Role.RESIDENT.value,
                                                  User.is_enabled.is_(True)))]
    since = segment_rules.window_start(now, get_store(store_id).timezone, segment_rules.HIGH_VALUE_DAYS)
    rows = db.session.execute(db.select(
        Purchase.user_id, Purchase.line, Purchase.goods_cents, Purchase.fee_cents, Purchase.refunded_cents,
        Purchase.placed_at).where(Purchase.store_id == store_id, Purchase.status != PurchaseStatus.CANCELLED.value))
    # Dormant needs every past purchase; the 90 days' spend only the recent ones: older ones count 0.
    purchases = [segment_rules.PurchaseFact(uid, line, max(0, goods + fee - refunded) if placed >= since else 0,
                                            placed)
                 for uid, line, goods, fee, refunded, placed in rows]
    return residents, purchases


def compute_store_segments(store_id, now):
    """``{key: frozenset(user ids)}`` for the store at ``now`` (read only)."""
    residents, purchases = _facts(store_id, now)
    provider = _providers.get("breakfast_parents")
    parents = set(provider(store_id, now)) if provider is not None else None
    return segment_rules.compute_segments(residents, purchases, now=now, tz_name=get_store(store_id).timezone,
                                          breakfast_parents=parents)


def recompute_segments(store_id, now):
    """Replace every segment's members of the store with what the rules say at ``now``; run twice,
    the second run changes nothing. Returns ``{key: size}``. Flushes, never commits."""
    computed = compute_store_segments(store_id, now)
    for key, user_ids in computed.items():
        db.session.execute(db.delete(SegmentMember).where(
            SegmentMember.store_id == store_id, SegmentMember.segment == key,
            SegmentMember.user_id.not_in(user_ids) if user_ids else db.true()))
        if user_ids:
            db.session.execute(upsert(SegmentMember.__table__).values(
                [{"store_id": store_id, "segment": key, "user_id": uid, "computed_at": now}
                 for uid in sorted(user_ids)]).on_conflict_do_update(
                index_elements=["store_id", "segment", "user_id"], set_={"computed_at": now}))
    db.session.flush()
    return {key: len(ids) for key, ids in computed.items()}


def list_segment_user_ids(store_id, key):
    """The user ids the last computation put in segment ``key``, sorted."""
    return list(db.session.scalars(db.select(SegmentMember.user_id).where(
        SegmentMember.store_id == store_id, SegmentMember.segment == key).order_by(SegmentMember.user_id)))


def segment_sizes(store_id):
    """``{key: size}`` for every segment (0 when empty), as last computed."""
    sizes = dict.fromkeys(SEGMENTS, 0)
    sizes.update(db.session.execute(db.select(SegmentMember.segment, db.func.count()).where(
        SegmentMember.store_id == store_id).group_by(SegmentMember.segment)).all())
    return sizes


def last_computed_at(store_id):
    """When the store's segments were last computed (None: never)."""
    return db.session.scalar(db.select(db.func.max(SegmentMember.computed_at)).where(
        SegmentMember.store_id == store_id))
