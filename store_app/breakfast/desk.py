"""The pickup desk: today's frozen day near its pickup window, a child's breakfast found by its code
(or by the child's name), the handover (once: a guarded UPDATE), and the window's end (what is left
is a no-show; a child's third no-show of a month asks the parent whether to pause the subscription)."""
import re
import unicodedata
from datetime import timedelta

from ..extensions import db
from ..notifications.operations import notify_many
from . import errors, purchase_reports, rules
from .models import BreakfastDay, BreakfastOrder, Child, DayStatus, OrderStatus
from .ordering import code_hash_of

# The desk opens this long before the window (the kitchen hands out early breakfasts).
DESK_EARLY = timedelta(minutes=60)
TO_COLLECT = (OrderStatus.PAID.value, OrderStatus.ON_CREDIT.value)
NO_SHOWS_TO_ASK = 3
NAME_RESULTS = 20


def desk_day(store, now):
    """Today's frozen day whose pickup window is open (or opens within the hour), or None."""
    return db.session.scalar(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store.id, BreakfastDay.status == DayStatus.FROZEN.value,
        BreakfastDay.date == rules.local_today(now, store.timezone),
        BreakfastDay.pickup_start_at <= now + DESK_EARLY, BreakfastDay.pickup_end_at > now)
        .order_by(BreakfastDay.id).limit(1))


def clean_code(text):
    """What a scanner or a thumb typed, as digits only (full-width digits and spaces allowed)."""
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text or ""))


def find_by_code(store, day, typed):
    """Today's breakfast with this code. ``CodeUnknown`` (a miss) when no order of the store has it;
    ``NotInWindow`` for another day's breakfast; ``CodeLocked``, ``AlreadyCollected`` or ``NotCooked``
    say how to go on."""
    code = clean_code(typed)
    if len(code) != 6:
        raise errors.CodeUnknown()
    order = db.session.scalar(db.select(BreakfastOrder).where(BreakfastOrder.store_id == store.id,
                                                              BreakfastOrder.code_hash == code_hash_of(store.id, code)))
    if order is None:
        raise errors.CodeUnknown()
    if day is None or order.day_id != day.id:
        raise errors.NotInWindow()
    return _collectable(order)


def _collectable(order):
    if order.code_misses >= rules.MAX_CODE_MISSES:
        raise errors.CodeLocked()
    if order.status == OrderStatus.COLLECTED.value:
        raise errors.AlreadyCollected()
    if order.status not in TO_COLLECT:
        raise errors.NotCooked()
    return order


def get_day_order(store, day, order_id):
    """The day's order with this id (any status), else ``OrderNotFound``."""
    order = db.session.get(BreakfastOrder, order_id) if 0 < order_id < 2**31 else None
    if order is None or order.store_id != store.id or day is None or order.day_id != day.id:
        raise errors.OrderNotFound()
    return order


def _like(text):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_by_name(store, day, text):
    """The day's cooked breakfasts whose child's name contains ``text`` (staff's fallback without a code)."""
    text = (text or "").strip()[:40]
    if day is None or not text:
        return []
    return db.session.scalars(db.select(BreakfastOrder).join(Child, Child.id == BreakfastOrder.child_id).where(
        BreakfastOrder.day_id == day.id, Child.name.ilike(_like(text), escape="\\"),
        BreakfastOrder.status.in_(TO_COLLECT + (OrderStatus.COLLECTED.value,)))
        .order_by(Child.name, BreakfastOrder.id).limit(NAME_RESULTS)).all()


def hand_over(staff, store, day, order_id, now):
    """Hand the breakfast over: paid or on credit -> collected, once (two desks at once: one wins, the
    other gets ``AlreadyCollected``)."""
    order = get_day_order(store, day, order_id)
    moved = db.session.execute(
        db.update(BreakfastOrder).where(BreakfastOrder.id == order.id, BreakfastOrder.status.in_(TO_COLLECT))
        .values(status=OrderStatus.COLLECTED.value, collected_at=now, handed_over_by=staff.id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(order)
    if not moved:
        _collectable(order)  # says why (collected meanwhile, or never cooked)
        raise errors.AlreadyCollected()
    purchase_reports.report_completed([order.id], now)
    return order


def list_to_collect(day):
    """The day's breakfasts still to collect, by class and name."""
    if day is None:
        return []
    return db.session.scalars(db.select(BreakfastOrder).join(Child, Child.id == BreakfastOrder.child_id).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(TO_COLLECT))
        .order_by(Child.class_name, Child.name, BreakfastOrder.id)).all()


def count_collected(day):
    if day is None:
        return 0
    return db.session.scalar(db.select(db.func.count()).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.status == OrderStatus.COLLECTED.value))


# ---- the window's end ---------------------------------------------------------------------------

def close_due(store, now):
    """Every frozen day whose pickup window has ended becomes done, and what was left to collect a
    no-show (guarded UPDATEs: two runs do it once). Returns ``(days, no_shows)`` done by this run."""
    days = db.session.scalars(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store.id, BreakfastDay.status == DayStatus.FROZEN.value,
        BreakfastDay.pickup_end_at <= now).order_by(BreakfastDay.date)).all()
    closed, no_shows = 0, 0
    for day in days:
        moved = db.session.execute(db.update(BreakfastDay).where(
            BreakfastDay.id == day.id, BreakfastDay.status == DayStatus.FROZEN.value)
            .values(status=DayStatus.DONE.value, done_at=now).execution_options(synchronize_session=False)).rowcount
        if not moved:
            continue
        closed += 1
        children = db.session.scalars(db.select(BreakfastOrder.child_id).where(
            BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(TO_COLLECT))).all()
        no_shows += db.session.execute(db.update(BreakfastOrder).where(
            BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(TO_COLLECT))
            .values(status=OrderStatus.NO_SHOW.value).execution_options(synchronize_session=False)).rowcount
        # A no-show was cooked and charged: fulfilled for growth (see purchase_reports). Reported from
        # the rows as written, so an order handed over meanwhile is reported by its handover alone.
        purchase_reports.report_completed(db.session.scalars(db.select(BreakfastOrder.id).where(
            BreakfastOrder.day_id == day.id, BreakfastOrder.status == OrderStatus.NO_SHOW.value)).all(), now)
        ask_about_no_shows(store, day.date, children, now)
    db.session.expire_all()
    return closed, no_shows


def ask_about_no_shows(store, day_date, child_ids, now):
    """The parent of each child with ``NO_SHOWS_TO_ASK`` or more no-shows in ``day_date``'s calendar
    month is asked, once per child and month, whether to pause the subscription."""
    if not child_ids:
        return
    first = day_date.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    rows = db.session.execute(
        db.select(Child.id, Child.parent_id, Child.name, db.func.count(BreakfastOrder.id))
        .join(BreakfastOrder, BreakfastOrder.child_id == Child.id)
        .join(BreakfastDay, BreakfastDay.id == BreakfastOrder.day_id)
        .where(Child.id.in_(sorted(set(child_ids))), BreakfastOrder.status == OrderStatus.NO_SHOW.value,
               BreakfastDay.date >= first, BreakfastDay.date < following)
        .group_by(Child.id, Child.parent_id, Child.name)).all()
    month = first.strftime("%Y-%m")
    notify_many([dict(user_id=parent_id, store_id=store.id, kind="breakfast_no_shows",
                      dedupe_key=f"breakfast_no_shows:{child_id}:{month}", link="/breakfast",
                      params={"child": name, "count": count, "month": month})
                 for child_id, parent_id, name, count in rows if count >= NO_SHOWS_TO_ASK], now)
