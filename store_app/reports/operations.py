"""Reads for the boards (the console home, the owner's dashboard). Read-only."""
from dataclasses import dataclass

from ..accounts.models import User
from ..extensions import db
from ..geo.models import Building
from ..orders.models import Order
from ..orders.statuses import OrderStatus
from . import rules


def load_overview(store_id):
    """Counts for the console and dashboard: residents, team by role, buildings."""
    by_role = dict(db.session.execute(
        db.select(User.role, db.func.count()).where(User.store_id == store_id).group_by(User.role)).all())
    buildings = db.session.scalar(db.select(db.func.count()).select_from(Building)
                                  .where(Building.store_id == store_id))
    return {"by_role": by_role, "buildings": buildings}


@dataclass(frozen=True)
class DayFigures:
    """One day (so far) of the store: orders placed (not cancelled), their sales, deliveries on time."""

    orders: int
    sales_cents: int     # totals less refunds, of the orders counted
    delivered: int       # orders handed over in the window
    on_time: int         # of those, by their promise
    on_time_share: float | None


def load_day_figures(store_id, window):
    """The store's figures for orders placed (sales) and delivered (on time) within ``window``."""
    placed = (Order.store_id == store_id, Order.placed_at >= window.start, Order.placed_at < window.end,
              Order.status != OrderStatus.CANCELLED.value)
    orders, sales = db.session.execute(db.select(
        db.func.count(), db.func.coalesce(db.func.sum(Order.total_cents - Order.refunded_cents), 0))
        .where(*placed)).one()
    on_time_case = db.case((Order.delivered_at <= Order.promised_at, 1), else_=0)
    delivered, on_time = db.session.execute(db.select(
        db.func.count(), db.func.coalesce(db.func.sum(on_time_case), 0)).where(
        Order.store_id == store_id, Order.status == OrderStatus.DELIVERED.value,
        Order.delivered_at >= window.start, Order.delivered_at < window.end)).one()
    return DayFigures(int(orders), int(sales), int(delivered), int(on_time),
                      rules.on_time_share(int(on_time), int(delivered)))


@dataclass(frozen=True)
class Comparison:
    """Today so far against the same weekday last week by the same time."""

    today: DayFigures
    last_week: DayFigures
    last_week_start: object  # aware UTC: the start of that day, to name the date on the page


def load_comparison(store, now):
    """Today's orders, sales and on-time share against the same weekday last week, in the store's time zone."""
    today, last_week = rules.today_and_last_week(now, store.timezone)
    return Comparison(load_day_figures(store.id, today), load_day_figures(store.id, last_week), last_week.start)
