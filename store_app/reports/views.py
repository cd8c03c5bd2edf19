"""The counter console's front page (the work list) and the owner's dashboard (today against last week,
and what needs the owner). Both refresh themselves: their scripts fetch the live fragments below."""
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template
from flask_babel import format_date, format_timedelta
from flask_login import current_user

from ..database import utcnow
from ..roles import Role
from ..stores.presenters import store_status
from ..web import worklist
from ..web.guards import role_required
from ..web.live import live_fragment
from . import operations, rules

bp = Blueprint("reports", __name__)

LIVE_HEADER = "X-Work-List"


def _rows(items, now):
    """Work items with the oldest one's age in words ("12 minutes", "90 minutes", "3 hours"), for the templates."""
    return [{"item": item, "age": format_timedelta(now - item.oldest_at, threshold=2)
             if item.oldest_at is not None and item.count else None} for item in items]


def _console_context():
    store, now = current_user.store, utcnow()
    return {"store": store, "status": store_status(store, now),
            "work": _rows(worklist.list_work_items(store, now, level=worklist.COUNTER), now)}


@bp.get("/console")
@role_required(Role.STAFF, Role.OWNER)
def console():
    """The counter console's front page: what is waiting, oldest first, each with where it is done."""
    return render_template("reports/console.html", **_console_context())


@bp.get("/console/work-list")
@role_required(Role.STAFF, Role.OWNER)
def console_live():
    """The work list alone, for the console home's script to swap in."""
    return live_fragment(render_template("reports/_work_list.html", **_console_context()), LIVE_HEADER)


def _dashboard_context():
    store, now = current_user.store, utcnow()
    comparison = operations.load_comparison(store, now)
    items = worklist.list_work_items(store, now)
    # What needs the owner: the owner's own items, and the counter's urgent ones that are waiting.
    needs_owner = [i for i in items if i.level == worklist.OWNER or (i.urgent and i.count)]
    share = (comparison.today.on_time_share, comparison.last_week.on_time_share)
    return {"store": store, "status": store_status(store, now), "comparison": comparison,
            "last_week_day": format_date(comparison.last_week_start.astimezone(ZoneInfo(store.timezone)).date(),
                                         "full"),
            "changes": {"orders": rules.percent_change(comparison.today.orders, comparison.last_week.orders),
                        "sales": rules.percent_change(comparison.today.sales_cents,
                                                      comparison.last_week.sales_cents),
                        "on_time": rules.change(*share)},
            "work": _rows(needs_owner, now), "overview": operations.load_overview(store.id)}


@bp.get("/owner")
@role_required(Role.OWNER)
def dashboard():
    """The owner's home: today so far against the same weekday last week, and what needs the owner."""
    return render_template("reports/dashboard.html", **_dashboard_context())


@bp.get("/owner/live")
@role_required(Role.OWNER)
def dashboard_live():
    """The dashboard's figures and list alone, for its script to swap in."""
    return live_fragment(render_template("reports/_dashboard_live.html", **_dashboard_context()), LIVE_HEADER)
