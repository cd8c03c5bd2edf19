"""The waitlist of a sold-out item on a day: a freed portion is held for the first parent waiting
for a claim window that closes before the order cutoff, then passes to the next."""
from datetime import timedelta

from ..extensions import db
from ..notifications.operations import notify
from .models import BreakfastDay, DayItem, WaitlistEntry
from .settings import get_settings


def offer_freed(day_id, item_id, now):
    """Offer freed portions of ``item_id`` on the day to the parents waiting, first come first served,
    while a portion is free and the claim window can still close before the cutoff. Each offer holds
    its portion (``held``) with a conditional UPDATE. Returns the entries offered."""
    day = db.session.get(BreakfastDay, day_id)
    if day is None or day.status != "open" or now >= day.order_cutoff_at:
        return []
    day_item = db.session.scalar(db.select(DayItem).where(DayItem.day_id == day_id, DayItem.item_id == item_id))
    if day_item is None:
        return []
    window = timedelta(minutes=get_settings(day.store_id).claim_window_min)
    offered = []
    while True:
        entry = db.session.scalar(db.select(WaitlistEntry).where(
            WaitlistEntry.day_item_id == day_item.id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(1))
        if entry is None:
            break
        held = db.session.execute(
            db.update(DayItem).where(DayItem.id == day_item.id,
                                     DayItem.taken + DayItem.held + 1 <= DayItem.capacity)
            .values(held=DayItem.held + 1).execution_options(synchronize_session=False)).rowcount
        if not held:
            break
        entry.status = "offered"
        entry.offered_at = now
        entry.offer_expires_at = min(now + window, day.order_cutoff_at)
        db.session.flush()
        notify(entry.parent_id, day.store_id, "breakfast_waitlist_offer", f"breakfast_offer:{entry.id}",
               params={"date": day.date.isoformat(), "item_id": item_id,
                       "until": entry.offer_expires_at.isoformat()},
               link="/breakfast", now=now)
        offered.append(entry)
    return offered
