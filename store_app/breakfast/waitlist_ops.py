"""A parent's side of the waitlist: join it for a sold-out item, claim an offered (held) portion
before its claim window closes, withdraw; and the periodic expiry that passes an unclaimed portion on."""
from ..extensions import db
from . import errors, rules
from .models import BreakfastDay, BreakfastOrder, BreakfastOrderLine, DayItem, OrderStatus, WaitlistEntry
from .ordering import check_allergens, get_child, new_code, rules_live_statuses
from .waitlist import offer_freed

LIVE = ("waiting", "offered")


def get_day_item(store_id, day_item_id):
    found = db.session.get(DayItem, day_item_id) if isinstance(day_item_id, int) and 0 < day_item_id < 2**31 else None
    if found is None or found.day.store_id != store_id:
        raise errors.ItemUnknown()
    return found


def join(store, parent_id, child_id, day_item_id, now):
    """Put a child on the waitlist of a sold-out item of a day (one live place per child and item)."""
    child = get_child(parent_id, child_id)
    day_item = get_day_item(store.id, day_item_id)
    day = day_item.day
    if day.status != "open" or not rules.may_order(now, day.opens_at, day.order_cutoff_at):
        raise errors.PastCutoff()
    check_allergens(child, [day_item.item])
    db.session.refresh(day_item)  # portions move by conditional UPDATEs: read the row as it is now
    if day_item.taken + day_item.held < day_item.capacity:
        raise errors.NotSoldOut()
    live = db.session.scalar(db.select(WaitlistEntry.id).where(WaitlistEntry.day_item_id == day_item.id,
                                                               WaitlistEntry.child_id == child.id,
                                                               WaitlistEntry.status.in_(LIVE)))
    if live is not None:
        raise errors.AlreadyWaiting()
    entry = WaitlistEntry(day_item_id=day_item.id, child_id=child.id, parent_id=parent_id, status="waiting",
                          created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except Exception:  # the partial unique index: a second tap at the same moment
        raise errors.AlreadyWaiting() from None
    return entry


def get_parent_entry(parent_id, entry_id):
    entry = db.session.get(WaitlistEntry, entry_id) if isinstance(entry_id, int) and 0 < entry_id < 2**31 else None
    if entry is None or entry.parent_id != parent_id:
        raise errors.WaitlistEntryNotFound()
    return entry


def claim(parent_id, entry_id, now):
    """Turn an offered portion into the child's breakfast: the entry becomes ``claimed`` and the held
    portion ``taken``, each with one conditional UPDATE (a claim after the window, or twice, is
    refused). An order the child already has that day gets the item added; otherwise a new order."""
    entry = get_parent_entry(parent_id, entry_id)
    day_item, child = entry.day_item, get_child(parent_id, entry.child_id)  # a removed child claims nothing
    day = day_item.day
    if day.status != "open" or not rules.may_order(now, day.opens_at, day.order_cutoff_at):
        raise errors.PastCutoff()
    check_allergens(child, [day_item.item])
    claimed = db.session.execute(
        db.update(WaitlistEntry).where(WaitlistEntry.id == entry.id, WaitlistEntry.status == "offered",
                                       WaitlistEntry.offer_expires_at > now)
        .values(status="claimed", closed_at=now).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise errors.OfferExpired()
    moved = db.session.execute(
        db.update(DayItem).where(DayItem.id == day_item.id, DayItem.held >= 1)
        .values(held=DayItem.held - 1, taken=DayItem.taken + 1).execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise errors.OfferExpired()
    db.session.refresh(entry)
    return _add_to_order(day, child, parent_id, day_item.item, now)


def _add_to_order(day, child, parent_id, item, now):
    order = db.session.scalar(db.select(BreakfastOrder).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.child_id == child.id,
        BreakfastOrder.status.in_(rules_live_statuses())))
    if order is not None:
        if order.status != OrderStatus.PLACED.value:
            raise errors.OrderNotChangeable()
        line = next((line for line in order.lines if line.item_id == item.id), None)
        if line is None:
            order.lines.append(BreakfastOrderLine(item_id=item.id, quantity=1, price_cents=item.price_cents))
        elif line.quantity >= 5:
            raise errors.QuantityInvalid()
        else:
            line.quantity += 1
        order.total_cents += item.price_cents
        order.changed_at = now
        db.session.flush()
        return order
    nonce, code_hash = new_code(day.store_id)
    order = BreakfastOrder(store_id=day.store_id, day_id=day.id, child_id=child.id, parent_id=parent_id,
                           status=OrderStatus.PLACED.value, total_cents=item.price_cents, code_nonce=nonce,
                           code_hash=code_hash, created_at=now)
    order.lines = [BreakfastOrderLine(item_id=item.id, quantity=1, price_cents=item.price_cents)]
    db.session.add(order)
    db.session.flush()
    return order


def _give_back_held(entry, status, now):
    """End a live entry; an offered one gives its held portion back, to the next one waiting first.
    Returns False when someone else ended it first."""
    was = entry.status
    ended = db.session.execute(
        db.update(WaitlistEntry).where(WaitlistEntry.id == entry.id, WaitlistEntry.status == was)
        .values(status=status, closed_at=now).execution_options(synchronize_session=False)).rowcount
    if not ended:
        return False
    if was == "offered":
        db.session.execute(db.update(DayItem).where(DayItem.id == entry.day_item_id, DayItem.held >= 1)
                           .values(held=DayItem.held - 1).execution_options(synchronize_session=False))
        db.session.flush()
        day_item = db.session.get(DayItem, entry.day_item_id)
        offer_freed(day_item.day_id, day_item.item_id, now)
    db.session.refresh(entry)
    return True


def withdraw(parent_id, entry_id, now):
    """Leave the waitlist; an offered portion passes to the next parent waiting (or is freed)."""
    entry = get_parent_entry(parent_id, entry_id)
    if entry.status not in LIVE or not _give_back_held(entry, "withdrawn", now):
        raise errors.WaitlistEntryNotFound()
    return entry


def expire_offers(store_id, now):
    """Offers of the store whose claim window closed: expired, and their portion offered to the next
    parent waiting (or freed when none is, or the cutoff is too close). Returns how many expired."""
    entries = db.session.scalars(
        db.select(WaitlistEntry).join(DayItem, DayItem.id == WaitlistEntry.day_item_id)
        .join(BreakfastDay, BreakfastDay.id == DayItem.day_id)
        .where(BreakfastDay.store_id == store_id, WaitlistEntry.status == "offered",
               WaitlistEntry.offer_expires_at <= now)
        .order_by(WaitlistEntry.offer_expires_at, WaitlistEntry.id)).all()
    return sum(1 for entry in entries if _give_back_held(entry, "expired", now))


def live_entries(parent_id, day_id=None):
    """The parent's waiting and offered places, with their items (for the pages)."""
    query = (db.select(WaitlistEntry).join(DayItem, DayItem.id == WaitlistEntry.day_item_id)
             .where(WaitlistEntry.parent_id == parent_id, WaitlistEntry.status.in_(LIVE)))
    if day_id is not None:
        query = query.where(DayItem.day_id == day_id)
    return db.session.scalars(query.order_by(WaitlistEntry.created_at, WaitlistEntry.id)).all()



