"""Marketplace test helpers: categories, vendors with crews, offerings, availability and bookings,
inserted as rows (the operations under test make the rest). Call inside an app context and a
``transaction()``; every helper flushes and returns the row."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from services.booking_models import Booking, BookingOffer
from services.models import AvailabilityRule, Crew, Offering, ServiceCategory, Vendor
from services.statuses import BookingStatus
from store_app.accounts.models import User
from store_app.extensions import db
from store_app.roles import Role
from tests.conftest import new_phone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day, hour=0, minute=0):
    """An aware UTC instant at ``hour:minute`` on ``day`` in Shanghai."""
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(timezone.utc)


def add_category(store_id, slug="cleaning", name_zh="家政保洁", name_en="Cleaning", commission_bps=1500, **terms):
    category = ServiceCategory(store_id=store_id, slug=slug, name_zh=name_zh, name_en=name_en,
                               commission_bps=commission_bps, terms_zh="保障条款", terms_en="Guarantee terms", **terms)
    db.session.add(category)
    db.session.flush()
    return category


def add_vendor_user(store_id, name="Vendor Person", phone=None):
    """A login with the vendor role (password ``tests.conftest.PASSWORD``)."""
    from werkzeug.security import generate_password_hash

    from tests.conftest import PASSWORD

    user = User(store_id=store_id, phone=phone or new_phone(), name=name, role=Role.VENDOR.value,
                password_hash=generate_password_hash(PASSWORD, method="scrypt:1024:8:1"))
    db.session.add(user)
    db.session.flush()
    return user


def add_vendor(store_id, categories=(), *, name="洁净家政", crews=1, vetting="approved", standing="good",
               zones=(), owner=None, min_notice_min=120, score=0.5, kind="company",
               licence_number="91350100M000100Y43"):
    """A vendor (approved by default) with ``crews`` crews, serving ``categories`` in ``zones``."""
    owner = owner or add_vendor_user(store_id, name=name)
    vendor = Vendor(store_id=store_id, owner_id=owner.id, kind=kind, name=name, phone=owner.phone,
                    licence_number=licence_number if kind == "company" else "", vetting=vetting,
                    standing=standing, min_notice_min=min_notice_min, score=score)
    vendor.categories = list(categories)
    db.session.add(vendor)
    db.session.flush()
    for zone_id in zones:
        db.session.execute(db.text("INSERT INTO vendor_zones (vendor_id, zone_id) VALUES (:v, :z)"),
                           {"v": vendor.id, "z": zone_id})
    for n in range(crews):
        db.session.add(Crew(vendor_id=vendor.id, label=f"Crew {n + 1}"))
    db.session.flush()
    return vendor


def add_offering(vendor, category, *, title_zh="日常保洁", title_en="Home cleaning", duration_min=120,
                 buffer_before_min=15, buffer_after_min=15, price_model="fixed", price_cents=20000):
    offering = Offering(vendor_id=vendor.id, category_id=category.id, title_zh=title_zh, title_en=title_en,
                        description_zh="三室以内", description_en="Up to three rooms", duration_min=duration_min,
                        buffer_before_min=buffer_before_min, buffer_after_min=buffer_after_min,
                        price_model=price_model, price_cents=price_cents)
    db.session.add(offering)
    db.session.flush()
    return offering


def add_weekly_availability(vendor, *, byday="MO,TU,WE,TH,FR,SA,SU", start_min=8 * 60, end_min=18 * 60, crews=None):
    rule = AvailabilityRule(vendor_id=vendor.id, rrule=f"FREQ=WEEKLY;BYDAY={byday}", start_min=start_min,
                            end_min=end_min, crews=crews if crews is not None else max(1, len(vendor.crews)))
    db.session.add(rule)
    db.session.flush()
    return rule


def add_booking(resident_id, offering, starts_at, *, status=BookingStatus.REQUESTED, crew=None, now=None,
                payment_method="wallet", held_cents=None, accept_within=timedelta(minutes=30), **values):
    """A booking of ``offering`` at ``starts_at`` on ``crew`` (the vendor's first crew by default), with
    its first offer to the vendor when it is waiting for an answer."""
    vendor = offering.vendor
    crew = crew or vendor.crews[0]
    now = now or starts_at - timedelta(days=1)
    ends_at = starts_at + timedelta(minutes=offering.duration_min)
    status = BookingStatus(status)
    booking = Booking(
        store_id=vendor.store_id, resident_id=resident_id, offering_id=offering.id,
        category_id=offering.category_id, vendor_id=vendor.id,
        crew_id=None if status in (BookingStatus.REOFFERED, BookingStatus.ESCALATED) else crew.id,
        status=status.value, starts_at=starts_at, ends_at=ends_at,
        block_start_at=starts_at - timedelta(minutes=offering.buffer_before_min),
        block_end_at=ends_at + timedelta(minutes=offering.buffer_after_min),
        address_text="莲花苑 3号楼 1-101", contact_phone="+8613900000000", description="厨房和客厅",
        price_model=offering.price_model, price_cents=offering.price_cents,
        commission_bps=offering.category.commission_bps, payment_method=payment_method,
        held_cents=offering.price_cents if held_cents is None and payment_method == "wallet" else (held_cents or 0),
        requested_at=now, accept_by_at=now + accept_within, created_at=now, **values)
    db.session.add(booking)
    db.session.flush()
    if status == BookingStatus.REQUESTED:
        db.session.add(BookingOffer(booking_id=booking.id, vendor_id=vendor.id, offered_at=now,
                                    answer_by_at=booking.accept_by_at))
        db.session.flush()
    return booking
