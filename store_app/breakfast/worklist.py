"""Breakfast's lines on the counter's work list (registered with ``store_app.web.worklist`` by
``create_app``): the kitchen's prep sheet of the next pickup day, breakfasts still to collect while
the pickup window is open, and for the owner a notice while the official school calendar of a date
in the next 30 days is not known yet (Monday to Friday is assumed until the package learns the year)."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..web.worklist import OWNER, WorkItem
from . import desk, rules
from .calendar_ops import unknown_dates
from .models import BreakfastDay, BreakfastOrder, DayStatus, PrepSheet


def _next_sheet_day(store, now):
    """The next frozen day from today on (its pickup not over) and the time its latest sheet was issued."""
    return db.session.execute(
        db.select(BreakfastDay, db.func.max(PrepSheet.created_at))
        .join(PrepSheet, PrepSheet.day_id == BreakfastDay.id)
        .where(BreakfastDay.store_id == store.id, BreakfastDay.status == DayStatus.FROZEN.value,
               BreakfastDay.date >= rules.local_today(now, store.timezone), BreakfastDay.pickup_end_at > now)
        .group_by(BreakfastDay.id).order_by(BreakfastDay.date).limit(1)).first()


def work_items(store, now):
    """The prep sheet ready for the next pickup day (its breakfasts to cook) and today's breakfasts
    still to collect in the window (the oldest age is the window's start)."""
    found = _next_sheet_day(store, now)
    to_cook, sheet_at = 0, None
    url = url_for("breakfast_kitchen.index")
    if found is not None:
        day, sheet_at = found
        to_cook = db.session.scalar(db.select(db.func.count()).where(
            BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(desk.TO_COLLECT)))
        url = url_for("breakfast_kitchen.sheet", day=day.date.isoformat())
    today = desk.desk_day(store, now)
    waiting = len(desk.list_to_collect(today)) if today is not None and now >= today.pickup_start_at else 0
    return calendar_items(store, now) + [
        WorkItem("breakfast:prep_sheet", _l("Breakfast prep sheet ready: breakfasts to cook"), to_cook, url,
                 _l("Open the prep sheet"), sheet_at, order=40),
        WorkItem("breakfast:to_collect", _l("Breakfasts still to collect this morning"), waiting,
                 url_for("breakfast_kitchen.desk"), _l("Open the pickup desk"),
                 today.pickup_start_at if waiting else None, order=35),
    ]


def calendar_notice(store_id, today):
    """The notice for the owner (a translated string) while a date of the next 30 days has no
    national data, else None. Never raises."""
    dates = unknown_dates(store_id, today)
    if not dates:
        return None
    return _l("The official calendar for %(year)s is not known yet: Monday to Friday is assumed; "
              "check the store's overrides", year=dates[0].year)


def calendar_items(store, now):
    """The owner's item while the next 30 days reach a year the official calendar does not know."""
    dates = unknown_dates(store.id, rules.local_today(now, store.timezone))
    if not dates:
        return []
    label = _l("The official calendar for %(year)s is not known yet: Monday to Friday is assumed; "
               "check the store's overrides", year=dates[0].year)
    return [WorkItem("breakfast:calendar_unknown", label, len(dates),
                     url_for("breakfast_console.calendar", month=dates[0].strftime("%Y-%m")),
                     _l("Check the breakfast calendar"), None, level=OWNER, order=70)]
