"""Staff verbs on breakfast days: close one (refunds, portions freed, parents told), change an open
day's times, open a date early. They add and flush, never commit (the view's ``transaction()`` does).

Closing is a guarded UPDATE (``status = 'open'``): two staff closing at once, one wins and the
other gets ``DayNotOpen`` (409). Only open days change here: a frozen day has its prep sheet, and
changes after the cutoff are the kitchen's (a new version of the sheet)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..notifications.operations import notify
from ..wallet.operations import credit
from . import day_notices, errors, purchase_reports
from .models import HOLDING, BreakfastDay, BreakfastOrder, DayItem, DayStatus, OrderStatus, WaitlistEntry

MAX_REASON = 200
CLOSED_KIND = day_notices.KIND  # the parents' message (its renderer lives in day_notices)
# Orders a closed day turns into refunds (an open day has no collected or no-show order yet).
REFUNDABLE = (OrderStatus.PLACED.value, OrderStatus.PAID.value, OrderStatus.ON_CREDIT.value,
              OrderStatus.NOT_COOKED.value)


def get_store_day(store_id, day_id):
    """The store's day ``day_id``, else ``DayNotFound`` (another store's id looks like a missing one)."""
    day = db.session.get(BreakfastDay, day_id) if isinstance(day_id, int) and 0 < day_id < 2**31 else None
    if day is None or day.store_id != store_id:
        raise errors.DayNotFound()
    return day


def close_day(store, day_id, reason, actor_id, now):
    """Close an open day: every live order refunded (what was charged goes back to the wallet; a
    placed order was not charged and just becomes ``refunded``), its portions and waitlist holds
    freed, each parent told once with the reason. Returns ``(day, orders refunded, cents refunded)``."""
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonRequired()
    if len(reason) > MAX_REASON:
        raise errors.DayTimesInvalid("reason", _l("Keep the reason under %(n)d characters.", n=MAX_REASON))
    day = get_store_day(store.id, day_id)
    closed = db.session.execute(
        db.update(BreakfastDay).where(BreakfastDay.id == day.id, BreakfastDay.status == DayStatus.OPEN.value)
        .values(status=DayStatus.CLOSED.value, closed_reason=reason, closed_by=actor_id, closed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not closed:
        raise errors.DayNotOpen()
    db.session.refresh(day)
    refunded, cents, per_parent = _refund_orders(store, day, now)
    _free_portions(day, now)
    for parent_id, (children, parent_cents) in sorted(per_parent.items()):
        notify(parent_id, store.id, CLOSED_KIND, f"breakfast_day_closed:{day.id}",
               params={"date": day.date.isoformat(), "reason": reason, "children": sorted(children),
                       "refund_cents": parent_cents},
               link="/breakfast", now=now)
    return day, refunded, cents


def _refund_orders(store, day, now):
    orders = db.session.scalars(db.select(BreakfastOrder).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(REFUNDABLE))
        .order_by(BreakfastOrder.id)).all()
    refunded, cents, per_parent = 0, 0, {}
    for order in orders:
        was = order.status
        changed = db.session.execute(
            db.update(BreakfastOrder).where(BreakfastOrder.id == order.id, BreakfastOrder.status == was)
            .values(status=OrderStatus.REFUNDED.value, cancelled_at=now, code_hash=None, owed_cents=0)
            .execution_options(synchronize_session=False)).rowcount
        if not changed:
            continue
        purchase_reports.report_cancelled([order.id], now)
        if order.charged_cents > 0:
            credit(order.parent_id, store.id, order.charged_cents, "refund", now=now,
                   note_key=CLOSED_KIND, note_params={"date": day.date.isoformat()})
        if was in HOLDING:
            for line in order.lines:
                db.session.execute(
                    db.update(DayItem).where(DayItem.day_id == day.id, DayItem.item_id == line.item_id)
                    .values(taken=DayItem.taken - line.quantity).execution_options(synchronize_session=False))
        children, parent_cents = per_parent.get(order.parent_id, (set(), 0))
        children.add(order.child.name)
        per_parent[order.parent_id] = (children, parent_cents + order.charged_cents)
        refunded += 1
        cents += order.charged_cents
    db.session.flush()
    for order in orders:
        db.session.expire(order)  # the guarded UPDATEs went around the objects
    return refunded, cents, per_parent


def _free_portions(day, now):
    """Waitlist entries of a closed day end (their held portions go back): nothing is left to offer."""
    item_ids = db.select(DayItem.id).where(DayItem.day_id == day.id).scalar_subquery()
    db.session.execute(
        db.update(WaitlistEntry).where(WaitlistEntry.day_item_id.in_(item_ids),
                                       WaitlistEntry.status.in_(("waiting", "offered")))
        .values(status="withdrawn", closed_at=now).execution_options(synchronize_session=False))
    db.session.execute(db.update(DayItem).where(DayItem.day_id == day.id).values(held=0)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    for day_item in day.items:
        db.session.refresh(day_item)


def local_instant(day, minute, days_before, tz_name):
    """Aware UTC of ``minute`` past midnight, ``days_before`` days before ``day``, in the store's zone."""
    local = datetime.combine(day - timedelta(days=days_before), datetime.min.time()) + timedelta(minutes=minute)
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def check_day_times(day, now, *, order_cutoff_at, cancel_cutoff_at, pickup_start_at, pickup_end_at):
    """``DayTimesInvalid`` on the first rule broken: the window's start before its end, on the day
    itself; the order cutoff at or before the window's start and still ahead; the cancel cutoff not
    after the order cutoff (a change may not outlive the kitchen's sheet)."""
    if pickup_start_at >= pickup_end_at:
        raise errors.DayTimesInvalid("pickup_end", _l("The pickup window must end after it starts."))
    if order_cutoff_at > pickup_start_at:
        raise errors.DayTimesInvalid("order_cutoff", _l("The order cutoff must be before the pickup window starts."))
    if order_cutoff_at <= now:
        raise errors.DayTimesInvalid("order_cutoff", _l("The order cutoff must be later than now."))
    if order_cutoff_at <= day.opens_at:
        raise errors.DayTimesInvalid("order_cutoff", _l("The order cutoff must be after ordering opens."))
    if cancel_cutoff_at > order_cutoff_at:
        raise errors.DayTimesInvalid("cancel_cutoff", _l("The cancel cutoff must not be after the order cutoff."))


def change_day_times(store, day_id, now, *, order_cutoff_at, cancel_cutoff_at, pickup_start_at, pickup_end_at):
    """Move an open day's cutoffs and pickup window (aware UTC, checked by ``check_day_times``), with a
    guarded UPDATE: a day that stopped being open meanwhile answers ``DayNotOpen``."""
    day = get_store_day(store.id, day_id)
    if day.status != DayStatus.OPEN.value:
        raise errors.DayNotOpen()
    check_day_times(day, now, order_cutoff_at=order_cutoff_at, cancel_cutoff_at=cancel_cutoff_at,
                    pickup_start_at=pickup_start_at, pickup_end_at=pickup_end_at)
    changed = db.session.execute(
        db.update(BreakfastDay).where(BreakfastDay.id == day.id, BreakfastDay.status == DayStatus.OPEN.value,
                                      BreakfastDay.order_cutoff_at > now)
        .values(order_cutoff_at=order_cutoff_at, cancel_cutoff_at=cancel_cutoff_at,
                pickup_start_at=pickup_start_at, pickup_end_at=pickup_end_at)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise errors.DayNotOpen()
    db.session.refresh(day)
    return day


def close_days_on(store, dates, reason, actor_id, now):
    """Close the open days of ``dates`` (a new closure in the store's calendar); returns the days closed."""
    days = db.session.scalars(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store.id, BreakfastDay.date.in_(list(dates)),
        BreakfastDay.status == DayStatus.OPEN.value).order_by(BreakfastDay.date)).all()
    closed = []
    for day in days:
        try:
            with db.session.begin_nested():
                closed.append(close_day(store, day.id, reason, actor_id, now)[0])
        except errors.DayNotOpen:
            continue  # another member of staff closed it a moment ago
    return closed
