"""Queries and verbs on stores. They add and flush; the caller's ``transaction()`` commits."""
from ..extensions import db
from . import errors, rules
from .models import Store, StoreHours


def get_store(store_id):
    """The store with this id, or None."""
    return db.session.get(Store, store_id) if store_id is not None else None


def get_first_store():
    """The store with the smallest id (the demo and most installations have one)."""
    return db.session.scalar(db.select(Store).order_by(Store.id).limit(1))


def list_stores():
    """Every store, by id."""
    return db.session.scalars(db.select(Store).order_by(Store.id)).all()


def parse_week(texts, weekday_names):
    """Seven texts like ``"07:00-23:00, 24:00"`` -> a list of ``(weekday, opens, closes)``."""
    intervals = []
    for weekday, text in enumerate(texts):
        for part in filter(None, (p.strip() for p in rules.normalise_hours_text(text).split(","))):
            try:
                opens, closes = rules.parse_interval(part)
            except rules.HoursFormatError as exc:
                raise errors.HoursInvalid(weekday_names[weekday]) from exc
            intervals.append((weekday, opens, closes))
    if rules.overlapping_days(intervals):
        raise errors.HoursInvalid(weekday_names[min(rules.overlapping_days(intervals))])
    return intervals


def update_store(store, *, name, address, phone, lat, lon, timezone, promise_minutes, intervals, name_en=None,
                 address_en=None):
    """Save the store's settings and replace its opening hours (``name_en``, ``address_en``: None keeps it)."""
    if not rules.is_valid_timezone(timezone):
        raise errors.TimezoneInvalid(timezone)
    if not rules.is_on_earth(lat, lon):
        raise errors.LocationInvalid(lat, lon)
    store.lat, store.lon = float(lat), float(lon)
    store.name, store.address, store.phone = name.strip(), address.strip(), phone.strip()
    if name_en is not None:
        store.name_en = " ".join(name_en.split())
    if address_en is not None:
        store.address_en = address_en.strip()
    store.timezone, store.promise_minutes = timezone, int(promise_minutes)
    store.hours.clear()
    db.session.flush()
    for weekday, opens, closes in sorted(set(intervals)):
        store.hours.append(StoreHours(weekday=weekday, opens_min=opens, closes_min=closes))
    db.session.flush()
    return store
