"""Breakfast test helpers: menu items, children and fixed clocks in the store's time zone
(Asia/Shanghai, as ``create_store`` makes it). Call inside an app context and a ``transaction()``."""
import secrets
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from store_app.breakfast.models import BreakfastItem, Child
from store_app.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A school week of 2025 that the official calendar knows: Monday 2025-11-10 to Friday 2025-11-14.
SCHOOL_MONDAY = date(2025, 11, 10)


def local(day, hour=0, minute=0, second=0):
    """An aware UTC instant at ``hour:minute:second`` on ``day`` in Shanghai."""
    return datetime.combine(day, time(hour, minute, second), SHANGHAI).astimezone(timezone.utc)


def evening_before(day, hour=20):
    return local(day - timedelta(days=1), hour)


def add_item(store_id, name_zh="豆浆", name_en="Soy milk", price_cents=300, capacity=50, allergens=("soy",),
             known=True, weekdays=127, ingredients_zh="黄豆、水", ingredients_en="soybeans, water"):
    item = BreakfastItem(store_id=store_id, name_zh=name_zh, name_en=name_en, price_cents=price_cents,
                         daily_capacity=capacity, allergens=",".join(allergens), allergens_known=known,
                         weekdays=weekdays, ingredients_zh=ingredients_zh, ingredients_en=ingredients_en)
    db.session.add(item)
    db.session.flush()
    return item


def add_child(store_id, parent_id, name="小明", class_name="三年级二班", school="莲花小学", allergies=()):
    child = Child(store_id=store_id, parent_id=parent_id, name=name, class_name=class_name, school=school,
                  allergies=",".join(allergies), feed_token=secrets.token_urlsafe(32))
    db.session.add(child)
    db.session.flush()
    return child


def add_day_now(store_id, now, *, status="frozen", start_before=timedelta(minutes=30), length=timedelta(hours=2)):
    """A breakfast day for today in Shanghai whose pickup window is open at ``now`` (frozen: past its
    cutoff), for the desk's tests, which run on the real clock."""
    from store_app.breakfast.models import BreakfastDay

    start = now - start_before
    day = BreakfastDay(store_id=store_id, date=now.astimezone(SHANGHAI).date(), status=status,
                       opens_at=start - timedelta(days=3), order_cutoff_at=start - timedelta(hours=9),
                       cancel_cutoff_at=start - timedelta(hours=9), pickup_start_at=start,
                       pickup_end_at=start + length, frozen_at=start - timedelta(hours=9))
    db.session.add(day)
    db.session.flush()
    return day


def add_cooked_order(store, day, child, quantities, status="paid"):
    """An order already charged at the cutoff (``paid`` by default), its portions taken; returns
    ``(order, six-digit code)``."""
    from store_app.breakfast.models import BreakfastItem, BreakfastOrder, BreakfastOrderLine, DayItem
    from store_app.breakfast.ordering import new_code, pickup_code

    nonce, code_hash = new_code(store.id)
    total = 0
    lines = []
    for item_id, quantity in sorted(quantities.items()):
        item = db.session.get(BreakfastItem, item_id)
        total += item.price_cents * quantity
        lines.append(BreakfastOrderLine(item_id=item_id, quantity=quantity, price_cents=item.price_cents))
        day_item = db.session.scalar(db.select(DayItem).where(DayItem.day_id == day.id, DayItem.item_id == item_id))
        if day_item is None:
            db.session.add(DayItem(day_id=day.id, item_id=item_id, capacity=item.daily_capacity, taken=quantity,
                                   held=0))
        else:
            day_item.taken += quantity
    order = BreakfastOrder(store_id=store.id, day_id=day.id, child_id=child.id, parent_id=child.parent_id,
                           status=status, total_cents=total, charged_cents=total if status == "paid" else 0,
                           owed_cents=total if status == "on_credit" else 0, code_nonce=nonce, code_hash=code_hash)
    order.lines = lines
    db.session.add(order)
    db.session.flush()
    return order, pickup_code(order)
