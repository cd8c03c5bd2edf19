"""Breakfast days: finding one, and the items (with their portions) a new one offers."""
from ..extensions import db
from . import rules
from .models import BreakfastDay, BreakfastItem


def find_day(store_id, day):
    return db.session.scalar(db.select(BreakfastDay).where(BreakfastDay.store_id == store_id,
                                                           BreakfastDay.date == day))


def offered_items(store_id, day, make_up=False):
    """The active items offered on ``day`` (a make-up weekend school day offers Monday's)."""
    items = db.session.scalars(db.select(BreakfastItem).where(BreakfastItem.store_id == store_id,
                                                              BreakfastItem.is_active.is_(True))
                               .order_by(BreakfastItem.position, BreakfastItem.id))
    return [item for item in items if rules.offered_on(item.weekdays, day, make_up)]
