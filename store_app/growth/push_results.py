"""What a push did: its deliveries counted by outcome, and its conversion against the holdout.

Conversion is read from ``Purchase.placed_at`` when the page is shown (no handler to miss a moment,
nothing to back-fill): a resident reached by the push (``sent_at``), or held out (``claimed_at``, when
they would have been reached), converts with a purchase of the store, not cancelled, placed within
48 hours after (``push_rules.CONVERSION_WINDOW``).
"""
from dataclasses import dataclass

from ..extensions import db
from .models import Purchase, PurchaseStatus
from .push_models import PushDelivery
from .push_rules import CONVERSION_WINDOW, DeliveryStatus, count_converted, rate, uplift


@dataclass(frozen=True)
class PushResults:
    sent: int
    deferred: int            # went out (or will) at the end of quiet hours
    waiting: int             # of those, still waiting for 08:00
    skipped_preference: int
    skipped_cap: int
    holdout: int
    sent_converted: int
    holdout_converted: int

    @property
    def sent_rate(self):
        return rate(self.sent_converted, self.sent)

    @property
    def holdout_rate(self):
        return rate(self.holdout_converted, self.holdout)

    @property
    def uplift_points(self):
        return uplift(self.sent_rate, self.holdout_rate)


def load_results(push):
    """The push's counts and conversion (see the module's docstring)."""
    by_status = dict(db.session.execute(
        db.select(PushDelivery.status, db.func.count(PushDelivery.id)).where(PushDelivery.push_id == push.id)
        .group_by(PushDelivery.status)).all())
    deferred = db.session.scalar(db.select(db.func.count(PushDelivery.id)).where(
        PushDelivery.push_id == push.id, PushDelivery.deferred_until.is_not(None)))
    sent = _reached(push.id, DeliveryStatus.SENT, PushDelivery.sent_at)
    held = _reached(push.id, DeliveryStatus.HOLDOUT, PushDelivery.claimed_at)
    purchases = _purchases(push.store_id, sent + held)
    return PushResults(
        sent=by_status.get(DeliveryStatus.SENT.value, 0), deferred=deferred,
        waiting=by_status.get(DeliveryStatus.DEFERRED.value, 0),
        skipped_preference=by_status.get(DeliveryStatus.SKIPPED_PREFERENCE.value, 0),
        skipped_cap=by_status.get(DeliveryStatus.SKIPPED_CAP.value, 0),
        holdout=by_status.get(DeliveryStatus.HOLDOUT.value, 0),
        sent_converted=count_converted(sent, purchases), holdout_converted=count_converted(held, purchases))


def _reached(push_id, status, column):
    return db.session.execute(db.select(PushDelivery.user_id, column).where(
        PushDelivery.push_id == push_id, PushDelivery.status == status.value)).all()


def _purchases(store_id, reached):
    """``{user_id: [placed_at, ...]}`` of the store's purchases (not cancelled) that may count."""
    if not reached:
        return {}
    start = min(at for _, at in reached)
    end = max(at for _, at in reached) + CONVERSION_WINDOW
    users = sorted({user_id for user_id, _ in reached})
    found = {}
    for offset in range(0, len(users), 500):
        for user_id, placed_at in db.session.execute(db.select(Purchase.user_id, Purchase.placed_at).where(
                Purchase.store_id == store_id, Purchase.user_id.in_(users[offset:offset + 500]),
                Purchase.status != PurchaseStatus.CANCELLED.value,
                Purchase.placed_at > start, Purchase.placed_at <= end)):
            found.setdefault(user_id, []).append(placed_at)
    return found
