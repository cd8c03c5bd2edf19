"""What each line of business adds to the daily rollup, read from its own raw tables. Each function
adds ``(day, line, metric) -> value`` to a Counter for the local days of a period. Read-only.

Metrics (all additive over days):

- order lines (``delivery``, ``pickup``, ``parcel_door``), by the day the order was placed. An order
  whose goods come to nothing and that carries parcels (``subtotal_cents = 0``, a parcel fee) is a
  parcel-door order; parcels riding along on a shopping order stay in that order's total.
  ``gmv_gross_cents`` every order's total; ``gmv_net_cents`` less refunds, without cancelled and
  failed orders; ``orders`` / ``orders_net`` the same two counts; ``delivered``, ``on_time``
  (delivered by the promise); ``c2d_sum_s`` and ``c2d_b<i>`` the click-to-door time (placed ->
  delivered) and its histogram (``kpi_rules.C2D_EDGES_MIN``).
- ``breakfast``, by the breakfast's date: ``orders`` / ``gmv_gross_cents`` every order;
  ``orders_net`` / ``gmv_net_cents`` the ones cooked (``volume``); ``no_shows``; ``grace_credits``
  (cooked on credit within the store's grace).
- ``services``, by the day the booking was confirmed (redo jobs are not bookings): ``orders``,
  ``gmv_gross_cents`` (price and extras); ``orders_net`` / ``gmv_net_cents`` the completed ones less
  guarantee refunds; ``accepted``, ``accept_sum_s`` (confirmed -> accepted); ``claims``, ``redos``;
  ``commission_cents`` by the day the ledger took it.
- ``parcels``: ``checked_in``, ``returned``, ``overdue`` (kept past the free days, counting up to
  ``now`` while still waiting) by check-in day; ``collected``, ``dwell_sum_s`` and ``dwell_b<i>``
  (``kpi_rules.DWELL_EDGES_H``) by the day it was handed over.
"""
from datetime import timedelta
from zoneinfo import ZoneInfo

from ..breakfast.models import COOKED, BreakfastDay, BreakfastOrder, OrderStatus as BreakfastStatus
from ..extensions import db
from ..orders.models import Order, OrderStatus
from ..parcels.models import Parcel
from services.booking_models import Booking, Claim, ClaimStatus, LedgerKind, VendorLedgerEntry
from services.statuses import BookingStatus

from . import kpi_rules

NOT_SOLD = (OrderStatus.CANCELLED.value, OrderStatus.FAILED.value)
SERVICE_DONE = (BookingStatus.COMPLETED.value, BookingStatus.REVIEWED.value)


def _day_of(tz_name):
    zone = ZoneInfo(tz_name)
    return lambda at: at.astimezone(zone).date()


def add_orders(acc, store_id, tz_name, period):
    """Delivery, pickup and parcel-door orders placed in the period."""
    start, end = kpi_rules.utc_window(period, tz_name)
    day_of = _day_of(tz_name)
    rows = db.session.execute(db.select(
        Order.status, Order.fulfilment, Order.subtotal_cents, Order.parcel_fee_cents, Order.total_cents,
        Order.refunded_cents, Order.placed_at, Order.delivered_at, Order.promised_at)
        .where(Order.store_id == store_id, Order.placed_at >= start, Order.placed_at < end))
    for status, fulfilment, subtotal, parcel_fee, total, refunded, placed_at, delivered_at, promised_at in rows:
        day = day_of(placed_at)
        line = "parcel_door" if subtotal == 0 and parcel_fee > 0 else fulfilment
        acc[(day, line, "orders")] += 1
        acc[(day, line, "gmv_gross_cents")] += total
        if status not in NOT_SOLD:
            acc[(day, line, "orders_net")] += 1
            acc[(day, line, "gmv_net_cents")] += total - refunded
        if delivered_at is not None:
            seconds = max(0, int((delivered_at - placed_at).total_seconds()))
            acc[(day, line, "delivered")] += 1
            acc[(day, line, "on_time")] += delivered_at <= promised_at
            acc[(day, line, "c2d_sum_s")] += seconds
            acc[(day, line, f"c2d_b{kpi_rules.bucket_index(seconds / 60, kpi_rules.C2D_EDGES_MIN)}")] += 1


def add_breakfast(acc, store_id, period):
    """Breakfast orders of the period's breakfast days (the day is the breakfast's own date)."""
    rows = db.session.execute(db.select(
        BreakfastDay.date, BreakfastOrder.status, BreakfastOrder.total_cents, BreakfastOrder.charge_note)
        .join(BreakfastDay, BreakfastDay.id == BreakfastOrder.day_id)
        .where(BreakfastOrder.store_id == store_id, BreakfastDay.date >= period.first,
               BreakfastDay.date <= period.last))
    for day, status, total, note in rows:
        acc[(day, "breakfast", "orders")] += 1
        acc[(day, "breakfast", "gmv_gross_cents")] += total
        if status in COOKED:
            acc[(day, "breakfast", "orders_net")] += 1
            acc[(day, "breakfast", "volume")] += 1
            acc[(day, "breakfast", "gmv_net_cents")] += total
        acc[(day, "breakfast", "no_shows")] += status == BreakfastStatus.NO_SHOW.value
        acc[(day, "breakfast", "grace_credits")] += note == BreakfastStatus.ON_CREDIT.value


def add_services(acc, store_id, tz_name, period):
    """Bookings confirmed in the period, their complaints, and the commission taken in it."""
    start, end = kpi_rules.utc_window(period, tz_name)
    day_of = _day_of(tz_name)
    rows = db.session.execute(db.select(
        Booking.requested_at, Booking.accepted_at, Booking.status, Booking.price_cents, Booking.extras_cents,
        Claim.status, Claim.refund_cents)
        .outerjoin(Claim, Claim.booking_id == Booking.id)
        .where(Booking.store_id == store_id, Booking.redo_of_id.is_(None), Booking.requested_at >= start,
               Booking.requested_at < end))
    for requested_at, accepted_at, status, price, extras, claim_status, refund in rows:
        day = day_of(requested_at)
        acc[(day, "services", "orders")] += 1
        acc[(day, "services", "gmv_gross_cents")] += price + extras
        if status in SERVICE_DONE:
            acc[(day, "services", "orders_net")] += 1
            acc[(day, "services", "gmv_net_cents")] += price + extras - (refund or 0)
        if accepted_at is not None:
            acc[(day, "services", "accepted")] += 1
            acc[(day, "services", "accept_sum_s")] += max(0, int((accepted_at - requested_at).total_seconds()))
        if claim_status is not None:
            acc[(day, "services", "claims")] += 1
            acc[(day, "services", "redos")] += claim_status == ClaimStatus.REDO.value
    commissions = db.session.execute(db.select(VendorLedgerEntry.created_at, VendorLedgerEntry.amount_cents)
                                     .join(Booking, Booking.id == VendorLedgerEntry.booking_id)
                                     .where(Booking.store_id == store_id,
                                            VendorLedgerEntry.kind == LedgerKind.COMMISSION.value,
                                            VendorLedgerEntry.created_at >= start,
                                            VendorLedgerEntry.created_at < end))
    for created_at, amount in commissions:
        # The vendor's ledger records the store's share as a debit (negative); the store earned it.
        acc[(day_of(created_at), "services", "commission_cents")] += -amount


def add_parcels(acc, store_id, tz_name, free_days, period, now):
    """Parcels checked in during the period (returns, overdue) and handed over in it (dwell)."""
    start, end = kpi_rules.utc_window(period, tz_name)
    day_of = _day_of(tz_name)
    free = timedelta(days=free_days)
    checked_in = db.session.execute(db.select(Parcel.checked_in_at, Parcel.collected_at, Parcel.returned_at)
                                    .where(Parcel.store_id == store_id, Parcel.checked_in_at >= start,
                                           Parcel.checked_in_at < end))
    for checked_in_at, collected_at, returned_at in checked_in:
        day = day_of(checked_in_at)
        acc[(day, "parcels", "checked_in")] += 1
        acc[(day, "parcels", "returned")] += returned_at is not None
        left_at = collected_at or returned_at or now
        acc[(day, "parcels", "overdue")] += left_at - checked_in_at > free
    collected = db.session.execute(db.select(Parcel.checked_in_at, Parcel.collected_at)
                                   .where(Parcel.store_id == store_id, Parcel.collected_at >= start,
                                          Parcel.collected_at < end))
    for checked_in_at, collected_at in collected:
        day = day_of(collected_at)
        seconds = max(0, int((collected_at - checked_in_at).total_seconds()))
        acc[(day, "parcels", "collected")] += 1
        acc[(day, "parcels", "dwell_sum_s")] += seconds
        acc[(day, "parcels", f"dwell_b{kpi_rules.bucket_index(seconds / 3600, kpi_rules.DWELL_EDGES_H)}")] += 1
