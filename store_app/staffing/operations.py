"""Loading the store's past orders for the staffing replay, and asking the replay. Read only."""
from dispatch.geo import point_from_lat_lon
from dispatch.sim.replay import PastOrder, StoreProfile
from dispatch.sim.staffing import answer

from ..extensions import db
from ..orders.models import Order, OrderItem, OrderStatus
from . import rules


def store_profile(store):
    """The store's delivery settings as the replay's plain values."""
    return StoreProfile(promise_min=store.promise_minutes, speed_m_per_min=store.courier_speed_m_per_min,
                        detour_factor=store.detour_factor, pick_base_min=store.pick_base_min,
                        pick_per_item_s=store.pick_per_item_s, handover_min=store.courier_handover_min)


def load_past_orders(store, weekday, from_hour, to_hour, weeks, now):
    """The store's orders of the last ``weeks`` weeks (today left out) that fell on ``weekday`` between
    ``from_hour`` and ``to_hour`` local time, cancelled ones left out, as ``PastOrder`` values.

    An order for a later slot counts at its slot, when the couriers had the work; the others at their
    placement. Items the store struck as unavailable were not picked."""
    start, end = rules.history_range(now, store.timezone, weeks)
    items = (db.select(OrderItem.order_id, db.func.sum(OrderItem.quantity).label("n"))
             .where(OrderItem.unavailable.is_(False)).group_by(OrderItem.order_id).subquery())
    rows = db.session.execute(
        db.select(Order.placed_at, Order.scheduled_for, Order.lat, Order.lon, db.func.coalesce(items.c.n, 0))
        .outerjoin(items, items.c.order_id == Order.id)
        .where(Order.store_id == store.id, Order.status != OrderStatus.CANCELLED.value,
               db.or_(Order.placed_at.between(start, end), Order.scheduled_for.between(start, end)))
        .order_by(Order.id)).all()
    orders = []
    for placed_at, scheduled_for, lat, lon, item_count in rows:
        moment = scheduled_for or placed_at
        if not start <= moment < end:
            continue
        day, day_of_week, minute = rules.local_slot(moment, store.timezone)
        if day_of_week == weekday and from_hour * 60 <= minute < to_hour * 60:
            orders.append(PastOrder(day.isoformat(), round(minute, 2),
                                    point_from_lat_lon(lat, lon, store.lat, store.lon), int(item_count)))
    return orders


def plan_staffing(store, *, weekday, from_hour, to_hour, target_share, weeks, couriers, now):
    """Replay the busiest ``weekday`` of the last ``weeks`` weeks in ``[from_hour, to_hour)``: the
    recommended couriers per hour for ``target_share`` and, when given, the owner's own ``couriers``.
    Returns ``dispatch.sim.staffing.StaffingAnswer``."""
    history = load_past_orders(store, weekday, from_hour, to_hour, weeks, now)
    return answer(history, store_profile(store), from_hour, to_hour, target_share, couriers,
                  rules.MAX_COURIERS_PER_HOUR)
