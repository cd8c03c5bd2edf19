"""Freezing a day at its order cutoff: the day moves open -> frozen with one guarded UPDATE (so two
runs, or two schedulers, freeze it once), then its orders are charged, prep sheet version 1 is issued
and the kitchen is told. All in the caller's transaction: a failure leaves the day open for the next run."""
from ..extensions import db
from . import charging, notices, prep
from .models import BreakfastDay, DayStatus
from .settings import get_settings


def due_days(store_id, now):
    """The store's open days whose order cutoff has come, oldest first."""
    return db.session.scalars(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store_id, BreakfastDay.status == DayStatus.OPEN.value,
        BreakfastDay.order_cutoff_at <= now).order_by(BreakfastDay.date)).all()


def freeze_day(store, day, now):
    """Freeze ``day`` at ``now`` (at or after its cutoff); returns its prep sheet, or None when another
    run froze it first (or it is not open, or its cutoff has not come)."""
    moved = db.session.execute(
        db.update(BreakfastDay).where(BreakfastDay.id == day.id, BreakfastDay.status == DayStatus.OPEN.value,
                                      BreakfastDay.order_cutoff_at <= now)
        .values(status=DayStatus.FROZEN.value, frozen_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        return None
    db.session.refresh(day)
    settings = get_settings(store.id)
    charging.charge_day(store, day, now, settings.grace_breakfasts)
    sheet = prep.issue_sheet(day, now)
    notices.tell_kitchen(store.id, day, sheet, now)
    return sheet


def freeze_due(store, now):
    """Freeze every day of the store whose cutoff has come; returns how many this run froze."""
    return sum(1 for day in due_days(store.id, now) if freeze_day(store, day, now) is not None)
