"""The clock's side of offers: a job declined or not answered in time is re-offered to every other
suitable vendor; nobody by the second deadline sends it to staff; a job still unaccepted when its
time comes expires with a full refund. ``run_offer_pass`` is the periodic job (idempotent). A
vendor's "no" (``decline_job``) re-offers at once."""
from zoneinfo import ZoneInfo

from store_app.extensions import db
from store_app.geo import operations as geo_operations
from store_app.geo.models import Building
from store_app.stores.models import Store

from . import job_notices, offer_rules, offers
from .booking_models import Booking, BookingOffer, OfferState
from .errors import OfferClosed, ServiceError
from .models import (AvailabilityException, AvailabilityRule, Standing, Vendor, VettingStatus, vendor_categories,
                     vendor_zones)
from .offers import free_crew, refund_hold, withdraw_offers
from .rules import UNACCEPTED
from .statuses import BookingStatus
from .steps import move


def booking_zone_id(booking):
    """The store zone covering the booking's building, or None when the booking has no address or the
    building lies outside every zone."""
    if booking.address_id is None:
        return None
    building = db.session.get(Building, booking.address.building_id)
    zone = geo_operations.find_zone(booking.store_id, (building.lat, building.lon)) if building else None
    return zone.id if zone is not None else None


def _serves_zone(zone_id):
    """Vendors serving ``zone_id``: those who named it, and those who named no zone (the whole store)."""
    named = db.select(vendor_zones.c.vendor_id).where(vendor_zones.c.zone_id == zone_id)
    any_named = db.select(vendor_zones.c.vendor_id).where(vendor_zones.c.vendor_id == Vendor.id).exists()
    return db.or_(Vendor.id.in_(named), ~any_named)


def suitable_vendors(booking, *, others_only=True):
    """Every vendor who could take ``booking`` (other than the booked one when ``others_only``):
    approved, not suspended, serving its category and its zone when known, with a free crew then (by id)."""
    serves = db.select(vendor_categories.c.vendor_id).where(vendor_categories.c.category_id == booking.category_id)
    zone_id = booking_zone_id(booking)
    candidates = db.session.scalars(db.select(Vendor).where(
        Vendor.store_id == booking.store_id, Vendor.vetting == VettingStatus.APPROVED.value,
        Vendor.standing != Standing.SUSPENDED.value, Vendor.id.in_(serves),
        *([Vendor.id != booking.vendor_id] if others_only and booking.vendor_id else []),
        *([_serves_zone(zone_id)] if zone_id is not None else []))
        .order_by(Vendor.id)).all()
    return [vendor for vendor in candidates if free_crew(vendor, booking) is not None]


def declared_available(vendor, booking, tz):
    """Whether ``booking``'s time lies inside ``vendor``'s declared weekly availability."""
    start, end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    windows = [(offer_rules.weekly_days(rule.rrule), rule.start_min, rule.end_min)
               for rule in db.session.scalars(db.select(AvailabilityRule)
                                              .where(AvailabilityRule.vendor_id == vendor.id))]
    closed = db.session.scalars(db.select(AvailabilityException.day).where(
        AvailabilityException.vendor_id == vendor.id, AvailabilityException.start_min.is_(None))).all()
    return offer_rules.within_availability(start, end, windows, closed)


def reoffer(booking, now):
    """Offer ``booking`` at once to every other suitable vendor until the second deadline (the booked
    crew's slot is let go); with nobody to offer it to, it goes straight to staff."""
    withdraw_offers(booking.id, OfferState.EXPIRED)
    asked = set(db.session.scalars(db.select(BookingOffer.vendor_id).where(BookingOffer.booking_id == booking.id)))
    vendors = [vendor for vendor in suitable_vendors(booking) if vendor.id not in asked]
    if not vendors:
        return escalate(booking, now)
    until = offer_rules.reoffer_deadline(now, booking.starts_at)
    move(booking, BookingStatus.REOFFERED, now=now, crew_id=None, reoffer_until_at=until)
    tz = ZoneInfo(db.session.get(Store, booking.store_id).timezone)
    for vendor in vendors:
        db.session.add(BookingOffer(booking_id=booking.id, vendor_id=vendor.id, offered_at=now, answer_by_at=until,
                                    counts_for_rate=declared_available(vendor, booking, tz)))
    db.session.flush()
    job_notices.tell_resident(booking, "service_job_reoffered", now=now)
    job_notices.tell_vendors_offered(booking, vendors, now=now)
    return booking


def escalate(booking, now):
    """Nobody took ``booking``: staff place it by hand (the resident and staff are told)."""
    withdraw_offers(booking.id, OfferState.EXPIRED)
    move(booking, BookingStatus.ESCALATED, now=now, crew_id=None)
    job_notices.tell_resident(booking, "service_job_escalated", now=now)
    job_notices.tell_staff_escalated(booking, now=now)
    return booking


def expire(booking, now):
    """A job whose start came while still unaccepted ends: the hold is refunded in full."""
    withdraw_offers(booking.id)
    move(booking, BookingStatus.EXPIRED, now=now, crew_id=None)
    refunded = refund_hold(booking, now)
    job_notices.tell_resident(booking, "service_job_expired", now=now, refund_cents=refunded)
    return booking


def _first_answer_missed(booking, now):
    """Whether the booked vendor declined, or let the first deadline pass."""
    if booking.accept_by_at is not None and booking.accept_by_at <= now:
        return True
    return db.session.scalar(db.select(BookingOffer.id).where(
        BookingOffer.booking_id == booking.id, BookingOffer.vendor_id == booking.vendor_id,
        BookingOffer.state == OfferState.DECLINED.value)) is not None


def each_booking(store_id, where, step, now):
    """Run ``step`` on each matching booking in its own savepoint; a booking someone else moved
    meanwhile (a vendor accepted it) is left alone. Returns how many moved."""
    moved = 0
    for booking_id in db.session.scalars(db.select(Booking.id).where(Booking.store_id == store_id, *where)
                                         .order_by(Booking.id)).all():
        booking = db.session.get(Booking, booking_id)
        try:
            with db.session.begin_nested():
                if step(booking, now) is not None:
                    moved += 1
        except ServiceError:
            db.session.expire(booking)
    return moved


def run_offer_pass(store_id, now):
    """One pass of the store's offers at ``now``: expire jobs whose time came, re-offer jobs the booked
    vendor declined or let lapse, escalate re-offers past their deadline. Idempotent."""
    expired = each_booking(store_id, [Booking.status.in_([s.value for s in UNACCEPTED]), Booking.starts_at <= now],
                    expire, now)
    reoffered = each_booking(store_id, [Booking.status == BookingStatus.REQUESTED.value],
                      lambda b, at: reoffer(b, at) if _first_answer_missed(b, at) else None, now)
    escalated = each_booking(store_id, [Booking.status == BookingStatus.REOFFERED.value, Booking.reoffer_until_at <= now],
                      escalate, now)
    return f"expired {expired}, reoffered {reoffered}, escalated {escalated}"


def decline_job(user, booking_id, now):
    """The vendor of ``user`` says no to an open offer. The booked vendor's no re-offers the job at
    once; the last no of a re-offer sends it to staff."""
    vendor = offers.vendor_for(user)
    booking = offers.get_vendor_job(vendor, booking_id)
    offer = offers.get_offer(booking.id, vendor.id)
    if offer is None or not offer_rules.is_offer_open(offer.state, offer.answer_by_at, now):
        raise OfferClosed()
    offer.state, offer.answered_at = OfferState.DECLINED.value, now
    db.session.flush()
    if booking.status == BookingStatus.REQUESTED.value:
        reoffer(booking, now)
    elif booking.status == BookingStatus.REOFFERED.value and not _open_offers(booking.id, now):
        escalate(booking, now)
    return booking


def _open_offers(booking_id, now):
    return db.session.scalars(db.select(BookingOffer).where(BookingOffer.booking_id == booking_id,
                                                            BookingOffer.state == OfferState.OFFERED.value,
                                                            BookingOffer.answer_by_at > now)).all()
