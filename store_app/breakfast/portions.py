"""An item's portions on a day: taken with conditional UPDATEs, given back to the waitlist first."""
from ..extensions import db
from . import errors, waitlist
from .models import DayItem


def take_portions(day_id, quantities):
    """Take ``quantities`` ({item_id: n}) of the day's portions, each with one conditional UPDATE
    (``taken + held + n <= capacity``). ``ItemNotOffered`` for an item without portions that day,
    ``SoldOut`` naming the items short; nothing is taken then (a savepoint rolls back the others)."""
    short = []
    with db.session.begin_nested() as savepoint:
        for item_id, quantity in sorted(quantities.items()):
            changed = db.session.execute(
                db.update(DayItem).where(DayItem.day_id == day_id, DayItem.item_id == item_id,
                                         DayItem.taken + DayItem.held + quantity <= DayItem.capacity)
                .values(taken=DayItem.taken + quantity).execution_options(synchronize_session=False)).rowcount
            if not changed:
                exists = db.session.scalar(db.select(DayItem.id).where(DayItem.day_id == day_id,
                                                                       DayItem.item_id == item_id))
                if exists is None:
                    savepoint.rollback()
                    raise errors.ItemNotOffered()
                short.append(item_id)
        if short:
            savepoint.rollback()
    if short:
        raise errors.SoldOut(short)


def release_portions(day_id, quantities, now):
    """Give portions back (a cancelled, skipped or changed order); a freed portion of an item with
    parents waiting is offered to the first of them (``waitlist.offer_freed``)."""
    for item_id, quantity in sorted(quantities.items()):
        db.session.execute(
            db.update(DayItem).where(DayItem.day_id == day_id, DayItem.item_id == item_id)
            .values(taken=DayItem.taken - quantity).execution_options(synchronize_session=False))
    db.session.flush()
    for item_id in sorted(quantities):
        waitlist.offer_freed(day_id, item_id, now)
