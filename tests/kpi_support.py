"""KPI board test helpers: raw rows of every line inserted directly (the board reads them, it does not
make them), at local times in the store's zone (Asia/Shanghai, UTC+8, as ``create_store`` makes it).
Call inside an app context and a ``transaction()``; every helper flushes and returns the row."""
import secrets
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from store_app.accounts.models import UserActivity
from store_app.breakfast.models import BreakfastDay, BreakfastOrder, Child
from store_app.extensions import db
from store_app.growth.models import Purchase
from store_app.orders.models import Order
from store_app.parcels.models import Parcel

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 3, 2)  # the hand-made history's first day (a Monday)


def local(day, hour=0, minute=0):
    """An aware UTC instant at ``hour:minute`` on ``day`` in Shanghai."""
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(timezone.utc)


def add_order(store_id, user_id, placed_at, *, total=5000, refunded=0, status="delivered", fulfilment="delivery",
              delivered_after_min=None, promise_min=30, subtotal=None, parcel_fee=0):
    """An order placed at ``placed_at``; delivered ``delivered_after_min`` minutes later when given."""
    order = Order(store_id=store_id, user_id=user_id, status=status, idempotency_key=secrets.token_hex(8),
                  address_text="莲花苑 3号楼, 1-101", lat=31.2, lon=121.4, zone_name="A",
                  subtotal_cents=total - parcel_fee if subtotal is None else subtotal, parcel_fee_cents=parcel_fee,
                  total_cents=total, refunded_cents=refunded, payment_method="wallet", delivery_code="1234",
                  eta_minutes=promise_min, promised_at=placed_at + timedelta(minutes=promise_min),
                  placed_at=placed_at, fulfilment=fulfilment,
                  delivered_at=None if delivered_after_min is None
                  else placed_at + timedelta(minutes=delivered_after_min))
    db.session.add(order)
    db.session.flush()
    return order


def add_purchase(store_id, user_id, line, placed_at, *, goods=5000, status="completed", completed_at=None):
    purchase = Purchase(store_id=store_id, user_id=user_id, line=line, ref=f"test:{secrets.token_hex(6)}",
                        status=status, goods_cents=goods, placed_at=placed_at,
                        completed_at=completed_at or (placed_at + timedelta(hours=1) if status == "completed"
                                                      else None))
    db.session.add(purchase)
    db.session.flush()
    return purchase


def add_activity(store_id, user_id, day, first_at=None):
    row = UserActivity(store_id=store_id, user_id=user_id, day=day, first_at=first_at or local(day, 12))
    db.session.add(row)
    db.session.flush()
    return row


def add_parcel(store_id, checked_in_at, *, collected_after_h=None, returned_after_h=None):
    parcel = Parcel(store_id=store_id, tracking_number=secrets.token_hex(6), carrier="SF",
                    recipient_phone="+8613900000001", checked_in_at=checked_in_at,
                    status="collected" if collected_after_h is not None
                    else "returned" if returned_after_h is not None else "waiting",
                    collected_at=None if collected_after_h is None
                    else checked_in_at + timedelta(hours=collected_after_h),
                    returned_at=None if returned_after_h is None
                    else checked_in_at + timedelta(hours=returned_after_h))
    db.session.add(parcel)
    db.session.flush()
    return parcel


def add_breakfast_day(store_id, day):
    start = local(day, 6, 30)
    row = BreakfastDay(store_id=store_id, date=day, status="done", opens_at=start - timedelta(days=3),
                       order_cutoff_at=start - timedelta(hours=9), cancel_cutoff_at=start - timedelta(hours=9),
                       pickup_start_at=start, pickup_end_at=start + timedelta(hours=2))
    db.session.add(row)
    db.session.flush()
    return row


def add_breakfast_order(store_id, breakfast_day, parent_id, *, status="collected", total=800, note=""):
    child = Child(store_id=store_id, parent_id=parent_id, name="小明", feed_token=secrets.token_urlsafe(32))
    db.session.add(child)
    db.session.flush()
    order = BreakfastOrder(store_id=store_id, day_id=breakfast_day.id, child_id=child.id, parent_id=parent_id,
                           status=status, total_cents=total, charge_note=note)
    db.session.add(order)
    db.session.flush()
    return order
