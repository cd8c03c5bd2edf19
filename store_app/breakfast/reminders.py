"""Messages to parents around a day: the low-balance warning before the cutoff, the school-morning
reminder when the pickup window opens. Each is sent once (a dedupe key per parent and day)."""
from datetime import timedelta

from ..extensions import db
from ..notifications.operations import notify_many
from .charging import load_balances
from .models import BreakfastDay, BreakfastOrder, Child, DayStatus, OrderStatus, ParentPrefs
from .settings import get_settings


def _days_to_warn(store_id, now, hours):
    return db.session.scalars(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store_id, BreakfastDay.status == DayStatus.OPEN.value,
        BreakfastDay.order_cutoff_at > now, BreakfastDay.order_cutoff_at <= now + timedelta(hours=hours))
        .order_by(BreakfastDay.date)).all()


def _owed_by_parent(store_id, parent_ids, day_id):
    if not parent_ids:
        return {}
    return dict(db.session.execute(
        db.select(BreakfastOrder.parent_id, db.func.sum(BreakfastOrder.owed_cents))
        .where(BreakfastOrder.store_id == store_id, BreakfastOrder.parent_id.in_(parent_ids),
               BreakfastOrder.owed_cents > 0, BreakfastOrder.day_id != day_id)
        .group_by(BreakfastOrder.parent_id)).all())


def warn_low_balances(store, now):
    """Parents whose wallet will not cover the day's charge at the cutoff (with what they still owe,
    settled first) are told how much is missing and the grace rule, once per parent and day, from
    ``low_balance_warning_h`` hours before the cutoff. Returns how many were told now."""
    settings = get_settings(store.id)
    told = 0
    for day in _days_to_warn(store.id, now, settings.low_balance_warning_h):
        totals = dict(db.session.execute(
            db.select(BreakfastOrder.parent_id, db.func.sum(BreakfastOrder.total_cents))
            .where(BreakfastOrder.day_id == day.id, BreakfastOrder.status == OrderStatus.PLACED.value)
            .group_by(BreakfastOrder.parent_id)).all())
        balances = load_balances(totals)
        owed = _owed_by_parent(store.id, list(totals), day.id)
        messages = []
        for parent_id, total in sorted(totals.items()):
            need = total + owed.get(parent_id, 0)
            if need > balances[parent_id]:
                messages.append(dict(
                    user_id=parent_id, store_id=store.id, kind="breakfast_low_balance",
                    dedupe_key=f"breakfast_low_balance:{day.id}:{parent_id}", link="/wallet",
                    params={"date": day.date.isoformat(), "total_cents": need,
                            "missing_cents": need - balances[parent_id], "grace": settings.grace_breakfasts,
                            "cutoff_at": day.order_cutoff_at.isoformat(), "tz": store.timezone}))
        told += len(notify_many(messages, now))
    return told


def send_morning_reminders(store, now):
    """On a school morning, within the pickup window, each opted-in parent with a cooked breakfast that
    day is told "breakfast is ready until <window end>", once a day. Returns how many were told now."""
    day = db.session.scalar(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store.id, BreakfastDay.status == DayStatus.FROZEN.value,
        BreakfastDay.pickup_start_at <= now, BreakfastDay.pickup_end_at > now))
    if day is None:
        return 0
    rows = db.session.execute(
        db.select(BreakfastOrder.parent_id, Child.name)
        .join(Child, Child.id == BreakfastOrder.child_id)
        .join(ParentPrefs, ParentPrefs.user_id == BreakfastOrder.parent_id)
        .where(BreakfastOrder.day_id == day.id, ParentPrefs.morning_reminder.is_(True),
               BreakfastOrder.status.in_((OrderStatus.PAID.value, OrderStatus.ON_CREDIT.value)))
        .order_by(BreakfastOrder.parent_id, Child.name)).all()
    children = {}
    for parent_id, name in rows:
        children.setdefault(parent_id, []).append(name)
    messages = [dict(user_id=parent_id, store_id=store.id, kind="breakfast_morning",
                     dedupe_key=f"breakfast_morning:{day.date.isoformat()}:{parent_id}", link="/breakfast",
                     params={"date": day.date.isoformat(), "end_at": day.pickup_end_at.isoformat(),
                             "tz": store.timezone, "children": names})
                for parent_id, names in children.items()]
    return len(notify_many(messages, now))
