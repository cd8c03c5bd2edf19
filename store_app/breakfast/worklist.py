"""Breakfast's line on the owner's work list: the official school calendar is not known yet for a
date in the next 30 days (Monday to Friday is assumed until the package learns the year).
Registered with ``store_app.web.worklist`` by ``create_app``."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..web.worklist import OWNER, WorkItem
from . import rules
from .calendar_ops import unknown_dates

def calendar_notice(store_id, today):
    """The notice for the owner (a translated string) while a date of the next 30 days has no
    national data, else None. Never raises."""
    dates = unknown_dates(store_id, today)
    if not dates:
        return None
    return _l("The official calendar for %(year)s is not known yet: Monday to Friday is assumed; "
              "check the store's overrides", year=dates[0].year)


def work_items(store, now):
    """The owner's item while the next 30 days reach a year the official calendar does not know."""
    dates = unknown_dates(store.id, rules.local_today(now, store.timezone))
    if not dates:
        return []
    label = _l("The official calendar for %(year)s is not known yet: Monday to Friday is assumed; "
               "check the store's overrides", year=dates[0].year)
    return [WorkItem("breakfast:calendar_unknown", label, len(dates),
                     url_for("breakfast_console.calendar", month=dates[0].strftime("%Y-%m")),
                     _l("Check the breakfast calendar"), None, level=OWNER, order=70)]
