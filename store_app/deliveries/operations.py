"""Quotes, delivery tasks and shifts. They add and flush; the caller's ``transaction()`` commits."""
from ..extensions import db
from ..geo import operations as geo_ops
from ..geo.rules import haversine_m
from ..orders.models import Order, OrderStatus
from ..stores import rules as store_rules
from . import rules
from .models import CourierShift

ACTIVE_ORDER_STATUSES = (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY,
                         OrderStatus.ASSIGNED, OrderStatus.PICKED_UP)


def quote_params(store):
    """The store's quote settings as plain values."""
    return rules.QuoteParams(
        promise_min=store.promise_minutes, pick_base_min=store.pick_base_min,
        pick_per_item_s=store.pick_per_item_s, speed_m_per_min=store.courier_speed_m_per_min,
        detour_factor=store.detour_factor, handover_min=store.courier_handover_min)


def count_open_deliveries(store_id):
    """Orders of the store that are placed but not yet delivered (the couriers' queue)."""
    return db.session.scalar(db.select(db.func.count(Order.id)).where(
        Order.store_id == store_id, Order.status.in_([s.value for s in ACTIVE_ORDER_STATUSES]),
        Order.scheduled_for.is_(None)))


def count_couriers_on_shift(store_id, now):
    """Couriers with an open shift that has not passed its planned end."""
    return db.session.scalar(db.select(db.func.count(CourierShift.id)).where(
        CourierShift.store_id == store_id, CourierShift.ended_at.is_(None), CourierShift.planned_end_at > now))


def quote(store, point, item_count, now):
    """Can ``store`` deliver ``item_count`` items to ``point`` (lat, lon) now, and in how long?"""
    zone = geo_ops.find_zone(store.id, point)
    if zone is None:
        return rules.decide(None, False, 0, item_count, 0, 0, 0, quote_params(store))
    local = store_rules.local_time(now, store.timezone)
    return rules.decide(
        zone,
        store_open=store_rules.is_open(store.intervals(), now, store.timezone),
        minute_of_day=local.hour * 60 + local.minute,
        item_count=item_count,
        distance_m=haversine_m((store.lat, store.lon), point),
        open_deliveries=count_open_deliveries(store.id),
        couriers_on_shift=count_couriers_on_shift(store.id, now),
        params=quote_params(store))
