"""Breakfast console pages a crawl reaches only when there is something to show: an item of the
menu and a breakfast day. Made here (if the demo has none) for the accessibility scan."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from store_app.breakfast.models import BreakfastDay, BreakfastItem, DayItem
from store_app.extensions import db


def breakfast_console_pages(session, store_id):
    """``[item page, day page]`` of the store, made on a date far ahead when missing."""
    item_id = session.scalar(db.select(BreakfastItem.id).where(BreakfastItem.store_id == store_id).limit(1))
    if item_id is None:
        item = BreakfastItem(store_id=store_id, name_zh="豆浆", name_en="Soy milk", price_cents=300,
                             allergens="soy", allergens_known=True, weekdays=127, daily_capacity=40,
                             ingredients_zh="黄豆、水", ingredients_en="soybeans, water")
        session.add(item)
        session.flush()
        item_id = item.id
    day_id = session.scalar(db.select(BreakfastDay.id).where(BreakfastDay.store_id == store_id).limit(1))
    if day_id is None:
        the_date = date(2030, 3, 5)

        def at(day, hour, minute=0):
            return datetime.combine(day, time(hour, minute), ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)
        day = BreakfastDay(store_id=store_id, date=the_date, status="open", opens_at=at(the_date - timedelta(days=3), 0),
                           order_cutoff_at=at(the_date - timedelta(days=1), 21),
                           cancel_cutoff_at=at(the_date - timedelta(days=1), 21), pickup_start_at=at(the_date, 6, 30),
                           pickup_end_at=at(the_date, 8, 30))
        session.add(day)
        session.flush()
        session.add(DayItem(day_id=day.id, item_id=item_id, capacity=40, taken=3, held=0))
        day_id = day.id
    return [f"/console/breakfast/menu/{item_id}", f"/console/breakfast/days/{day_id}"]
