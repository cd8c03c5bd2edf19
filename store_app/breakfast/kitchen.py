"""Staff changes to a frozen day (a parent phoned): a breakfast added for a child, or one removed,
each with its reason. Every change issues the next version of the prep sheet, with its differences,
and tells the kitchen again."""
from ..extensions import db
from ..wallet import operations as wallet
from . import charging, errors, notices, prep, purchase_reports
from .desk import TO_COLLECT
from .models import BreakfastDay, BreakfastOrder, Child, DayItem, DayStatus, OrderStatus
from .ordering import clean_quantities, new_order, rules_live_statuses
from .settings import get_settings

MAX_REASON = 200


def get_changeable_day(store, day_date, now):
    """The store's day on ``day_date`` if staff may change it now: frozen, pickup not over."""
    day = db.session.scalar(db.select(BreakfastDay).where(BreakfastDay.store_id == store.id,
                                                          BreakfastDay.date == day_date))
    if day is None:
        raise errors.DayNotFound()
    if day.status != DayStatus.FROZEN.value or now >= day.pickup_end_at:
        raise errors.DayNotFrozen()
    return day


def _reason(text):
    text = (text or "").strip()
    if not text:
        raise errors.ReasonMissing()
    return text[:MAX_REASON]


def store_child(store_id, child_id):
    child = db.session.get(Child, child_id) if isinstance(child_id, int) and 0 < child_id < 2**31 else None
    if child is None or child.store_id != store_id or not child.is_active:
        raise errors.ChildNotFound()
    return child


def children_without_breakfast(store_id, day):
    """The store's active children with no live order on the day, by name (whom staff may add)."""
    taken = db.select(BreakfastOrder.child_id).where(BreakfastOrder.day_id == day.id,
                                                     BreakfastOrder.status.in_(rules_live_statuses()))
    return db.session.scalars(db.select(Child).where(Child.store_id == store_id, Child.is_active.is_(True),
                                                     Child.id.not_in(taken))
                              .order_by(Child.name, Child.id)).all()


def _reissue(store, day, staff, reason, now):
    sheet = prep.issue_sheet(day, now, reason=reason, staff_id=staff.id)
    notices.tell_kitchen(store.id, day, sheet, now)
    return sheet


def add_breakfast(staff, store, day, child_id, quantities, reason, now):
    """A breakfast for a child on the frozen day: allergens checked, portions taken, charged as at the
    cutoff (paid, on credit or not cooked: the parent is told the reason). Returns ``(order, sheet)``."""
    reason = _reason(reason)
    child = store_child(store.id, child_id)
    order = new_order(store, day, child, child.parent_id, clean_quantities(quantities), now)
    charge = charging.Charge(order.id, order.parent_id, child.id, order.total_cents)
    charging.charge_orders(store, day, [charge], now, get_settings(store.id).grace_breakfasts)
    db.session.refresh(order)
    return order, _reissue(store, day, staff, reason, now)


def remove_breakfast(staff, store, day, order_id, reason, now):
    """Take a cooked breakfast off the frozen day: what was charged goes back to the wallet, what was
    owed is forgiven, the portions are freed. Returns ``(order, sheet)``."""
    reason = _reason(reason)
    order = db.session.get(BreakfastOrder, order_id) if 0 < order_id < 2**31 else None
    if order is None or order.store_id != store.id or order.day_id != day.id:
        raise errors.OrderNotFound()
    moved = db.session.execute(
        db.update(BreakfastOrder).where(BreakfastOrder.id == order.id, BreakfastOrder.status.in_(TO_COLLECT))
        .values(status=OrderStatus.REFUNDED.value, cancelled_at=now, code_hash=None, owed_cents=0)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise errors.OrderNotChangeable()
    db.session.refresh(order)
    purchase_reports.report_cancelled([order.id], now)
    if order.charged_cents:
        wallet.credit(order.parent_id, store.id, order.charged_cents, "refund", now=now, actor_id=staff.id,
                      note_key="breakfast_refund", note_params={"breakfast_order": order.id})
    for line in order.lines:
        db.session.execute(db.update(DayItem).where(DayItem.day_id == day.id, DayItem.item_id == line.item_id)
                           .values(taken=DayItem.taken - line.quantity).execution_options(synchronize_session=False))
    return order, _reissue(store, day, staff, reason, now)
