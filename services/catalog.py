"""What residents can find and book: categories, the offerings of vendors in good standing serving
their zone (ranked by score), and each offering's bookable slots (``slot_rules`` over rows read here).

Queries only: nothing here changes a row.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import contains_eager

from store_app.extensions import db
from store_app.geo.operations import find_zone

from . import booking_rules, slot_rules
from .booking_models import Booking
from .models import (AvailabilityException, AvailabilityRule, Crew, Offering, ServiceCategory, Standing, Vendor,
                     VettingStatus, vendor_categories, vendor_zones)
from .statuses import OCCUPYING

SLOT_DAYS = 14
BOOKABLE_STANDINGS = (Standing.GOOD.value, Standing.PROBATION.value)


def store_tz(store):
    """The store's time zone (Asia/Shanghai when unset)."""
    return ZoneInfo(getattr(store, "timezone", None) or "Asia/Shanghai")


def list_categories(store_id):
    """The store's active categories in their order."""
    return db.session.scalars(db.select(ServiceCategory).where(ServiceCategory.store_id == store_id,
                                                               ServiceCategory.is_active.is_(True))
                              .order_by(ServiceCategory.sort_order, ServiceCategory.id)).all()


def get_category(store_id, category_id):
    """An active category of the store, or None."""
    return db.session.scalar(db.select(ServiceCategory).where(
        ServiceCategory.id == category_id, ServiceCategory.store_id == store_id, ServiceCategory.is_active.is_(True)))


def resident_zone_id(user):
    """The id of the zone covering the resident's default address, or None (no address, or outside)."""
    address = user.default_address() if hasattr(user, "default_address") else None
    if address is None:
        return None
    zone = find_zone(user.store_id, (address.building.lat, address.building.lon))
    return getattr(zone, "id", None) if zone is not None else None


def _bookable():
    """Conditions of an offering a resident may book: active, of an approved vendor in good standing
    or on probation, in an active category."""
    return (Offering.is_active.is_(True), Vendor.vetting == VettingStatus.APPROVED.value,
            Vendor.standing.in_(BOOKABLE_STANDINGS), ServiceCategory.is_active.is_(True))


def _serves_zone(zone_id):
    """A vendor serves a zone when it lists it, or lists no zone at all (the whole store)."""
    listed = db.select(vendor_zones.c.vendor_id).where(vendor_zones.c.vendor_id == Vendor.id)
    if zone_id is None:
        return db.true()
    return db.or_(~listed.exists(), listed.where(vendor_zones.c.zone_id == zone_id).exists())


def list_offerings(store_id, category_id=None, zone_id=None, *, max_price_cents=None, exclude_vendor_id=None):
    """The bookable offerings (of a category), best vendor first: by ``Vendor.score``, ties by id.
    A rebooking after a vendor failed passes ``max_price_cents`` (the same price or better) and the
    vendor who failed (``exclude_vendor_id``)."""
    query = (db.select(Offering).join(Vendor, Vendor.id == Offering.vendor_id)
             .join(ServiceCategory, ServiceCategory.id == Offering.category_id)
             .join(vendor_categories, db.and_(vendor_categories.c.vendor_id == Vendor.id,
                                              vendor_categories.c.category_id == Offering.category_id))
             .where(Vendor.store_id == store_id, *_bookable(), _serves_zone(zone_id))
             .options(contains_eager(Offering.vendor), contains_eager(Offering.category))
             .order_by(Vendor.score.desc(), Vendor.id, Offering.id))
    if category_id is not None:
        query = query.where(Offering.category_id == category_id)
    if max_price_cents is not None:
        query = query.where(Offering.price_cents <= max_price_cents)
    if exclude_vendor_id is not None:
        query = query.where(Offering.vendor_id != exclude_vendor_id)
    return db.session.scalars(query).all()


def get_offering(store_id, offering_id):
    """A bookable offering of the store, or None (a foreign, inactive or suspended one is missing)."""
    if not 0 < offering_id < 2**31:
        return None
    return db.session.scalar(db.select(Offering).join(Vendor, Vendor.id == Offering.vendor_id)
                             .join(ServiceCategory, ServiceCategory.id == Offering.category_id)
                             .where(Offering.id == offering_id, Vendor.store_id == store_id, *_bookable()))


def _busy_rows(crew_ids, first_at, last_at, exclude_booking_id=None):
    """Busy blocks of these crews that touch ``[first_at, last_at)``."""
    if not crew_ids:
        return []
    query = (db.select(Booking.crew_id, Booking.block_start_at, Booking.block_end_at, Booking.status,
                       Booking.hold_expires_at)
             .where(Booking.crew_id.in_(crew_ids), Booking.status.in_(OCCUPYING),
                    Booking.block_start_at < last_at, Booking.block_end_at > first_at))
    if exclude_booking_id is not None:
        query = query.where(Booking.id != exclude_booking_id)
    return [slot_rules.BusyBlock(row.crew_id, row.block_start_at, row.block_end_at,
                                 row.hold_expires_at if row.status == "held" else None)
            for row in db.session.execute(query)]


def load_vendor_calendar(vendor_ids):
    """``{vendor_id: (crew ids, weekly windows, exceptions)}`` for these vendors, in three reads."""
    calendar = {vendor_id: ([], [], []) for vendor_id in vendor_ids}
    for crew_id, vendor_id in db.session.execute(db.select(Crew.id, Crew.vendor_id)
                                                 .where(Crew.vendor_id.in_(vendor_ids)).order_by(Crew.id)):
        calendar[vendor_id][0].append(crew_id)
    for rule in db.session.scalars(db.select(AvailabilityRule).where(AvailabilityRule.vendor_id.in_(vendor_ids))
                                   .order_by(AvailabilityRule.id)):
        calendar[rule.vendor_id][1].append(slot_rules.WeeklyWindow(rule.rrule, rule.start_min, rule.end_min,
                                                                   rule.crews))
    for row in db.session.scalars(db.select(AvailabilityException)
                                  .where(AvailabilityException.vendor_id.in_(vendor_ids))):
        calendar[row.vendor_id][2].append(slot_rules.DayException(row.day, row.start_min, row.end_min))
    return calendar


def slot_query(offering, store, now, *, first_day=None, days=SLOT_DAYS, calendar=None, busy=None,
               exclude_booking_id=None):
    """The ``SlotQuery`` of an offering from ``first_day`` (the store's today) for ``days`` days."""
    tz = store_tz(store)
    first_day = first_day or now.astimezone(tz).date()
    crew_ids, windows, exceptions = (calendar or load_vendor_calendar([offering.vendor_id]))[offering.vendor_id]
    if busy is None:
        first_at = datetime.combine(first_day, time(), tz) - timedelta(days=1)
        busy = _busy_rows(crew_ids, first_at, first_at + timedelta(days=days + 2), exclude_booking_id)
    notice = booking_rules.booking_notice_min(offering.category.book_notice_min, offering.vendor.min_notice_min)
    return slot_rules.SlotQuery(
        crew_ids=tuple(crew_ids), windows=tuple(windows), exceptions=tuple(exceptions), busy=tuple(busy),
        duration_min=offering.duration_min, buffer_before_min=offering.buffer_before_min,
        buffer_after_min=offering.buffer_after_min, notice_min=notice, tz=tz, first_day=first_day, days=days, now=now)


def list_slots(offering, store, now, *, first_day=None, days=SLOT_DAYS, exclude_booking_id=None):
    """The offering's bookable slots over ``days`` local days from ``first_day``."""
    return slot_rules.bookable_slots(slot_query(offering, store, now, first_day=first_day, days=days,
                                                exclude_booking_id=exclude_booking_id))


def next_slots(offering, store, now, *, after=None, count=3):
    """The first ``count`` free slots (at or after ``after``): what a resident who lost a race is offered."""
    slots = list_slots(offering, store, now)
    return [slot for slot in slots if after is None or slot.starts_at >= after][:count] or slots[:count]


def category_slots(store, category_id, now, *, days=SLOT_DAYS):
    """``{offering_id: [slots]}`` of every bookable offering in a category, read in four queries (the
    benchmark's path and the category page's "next free" times)."""
    offerings = list_offerings(store.id, category_id)
    vendor_ids = sorted({offering.vendor_id for offering in offerings})
    calendar = load_vendor_calendar(vendor_ids)
    crew_ids = [crew_id for crews, _w, _e in calendar.values() for crew_id in crews]
    busy_by_crew = {}
    for block in _busy_rows(crew_ids, now - timedelta(days=1), now + timedelta(days=days + 2)):
        busy_by_crew.setdefault(block.crew_id, []).append(block)
    found = {}
    for offering in offerings:
        busy = [block for crew_id in calendar[offering.vendor_id][0] for block in busy_by_crew.get(crew_id, ())]
        found[offering.id] = slot_rules.bookable_slots(slot_query(offering, store, now, days=days, calendar=calendar,
                                                                  busy=busy))
    return found
