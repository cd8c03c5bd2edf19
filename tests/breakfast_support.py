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
