"""The marketplace in the JSON API (``/api/v1/services``), for a resident's signed-in browser or app:
categories, offerings, an offering's slots, booking (hold and confirm in one call, with an idempotency
key), my bookings, cancel and reschedule. The same rules and operations as the pages."""
from datetime import date, timedelta

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from store_app.database import transaction, utcnow
from store_app.errors import DomainError
from store_app.roles import Role
from store_app.web.api import SIGNED_IN, api_error, documented
from store_app.web.guards import role_required
from store_app.web.i18n import localized
from store_app.web.params import json_object

from . import booking, booking_changes, catalog
from .blueprints import api_bp as bp
from .booking_forms import parse_start
from .errors import SlotTaken

resident_only = role_required(Role.RESIDENT)
TAGS = ["services"]


class CategoryOut(BaseModel):
    category_id: int
    slug: str
    name: str
    free_cancel_h: int
    late_cancel_pct: int
    no_show_pct: int
    needs_verified_address: bool


class OfferingsQuery(BaseModel):
    category: int | None = Field(None, description="Only this category's offerings", ge=1)


class OfferingOut(BaseModel):
    offering_id: int
    category_id: int
    vendor_id: int
    vendor_name: str
    title: str
    description: str
    duration_min: int
    price_model: str = Field(description="fixed, hourly (per hour) or from (a starting price, quoted on site)")
    price_cents: int


class SlotsQuery(BaseModel):
    from_: str | None = Field(None, alias="from", description="First local date, YYYY-MM-DD (default: today)",
                              max_length=10)
    days: int | None = Field(None, description="How many days (1 to 14, default 14)", ge=1, le=14)


class SlotOut(BaseModel):
    starts_at: str = Field(description="ISO 8601 UTC: send it back as starts_at to book")
    ends_at: str


class BookingIn(BaseModel):
    offering_id: int = Field(ge=1)
    starts_at: str = Field(description="A slot's starts_at", max_length=40)
    address_id: int = Field(ge=1, description="One of the resident's saved addresses")
    description: str = Field("", max_length=1000)
    payment_method: str = Field("wallet", description="wallet or cash")
    idempotency_key: str = Field(min_length=8, max_length=64)


class RescheduleIn(BaseModel):
    starts_at: str = Field(description="A free slot's starts_at (same offering)", max_length=40)


class BookingOut(BaseModel):
    booking_id: int
    offering_id: int
    status: str
    starts_at: str
    ends_at: str
    price_model: str
    price_cents: int
    held_cents: int
    fee_cents: int
    payment_method: str
    accept_by_at: str | None = Field(description="The vendor's deadline to accept, ISO 8601 UTC")
    cancel_fee_now_cents: int = Field(description="What a cancel would cost now")


def _iso(value):
    return value.isoformat() if value is not None else None


def _booking_json(found, now):
    return {"booking_id": found.id, "offering_id": found.offering_id, "status": found.status,
            "starts_at": _iso(found.starts_at), "ends_at": _iso(found.ends_at), "price_model": found.price_model,
            "price_cents": found.price_cents, "held_cents": found.held_cents, "fee_cents": found.fee_cents,
            "payment_method": found.payment_method, "accept_by_at": _iso(found.accept_by_at),
            "cancel_fee_now_cents": booking_changes.cancel_fee_now(found, now)}


def _slots_json(slots):
    return [{"starts_at": _iso(slot.starts_at), "ends_at": _iso(slot.ends_at)} for slot in slots]


def _taken(exc):
    return jsonify(error=str(exc.message), status=409, next_slots=_slots_json(exc.next_slots)), 409


def _own_booking(booking_id):
    try:
        return booking.get_resident_booking(current_user.id, booking_id), None
    except DomainError as exc:
        return None, api_error(exc.message, 404)


@bp.get("/categories")
@documented(ok=(200, list[CategoryOut]), errors=(403,), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_categories():
    """The store's service categories with their cancellation terms."""
    return jsonify([{"category_id": c.id, "slug": c.slug, "name": localized(c), "free_cancel_h": c.free_cancel_h,
                     "late_cancel_pct": c.late_cancel_pct, "no_show_pct": c.no_show_pct,
                     "needs_verified_address": c.needs_verified_address}
                    for c in catalog.list_categories(current_user.store_id)])


@bp.get("/offerings")
@documented(query=OfferingsQuery, ok=(200, list[OfferingOut]), errors=(400, 403), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_offerings():
    """Bookable offerings serving the resident's area, best vendor first (by score, ties by id)."""
    category_id = None
    if request.args.get("category") not in (None, ""):
        category_id = request.args.get("category", type=int)
        if category_id is None or not 0 < category_id < 2**31:
            return api_error(_("Give the category as a number."), 400)
    offerings = catalog.list_offerings(current_user.store_id, category_id, catalog.resident_zone_id(current_user))
    return jsonify([{"offering_id": o.id, "category_id": o.category_id, "vendor_id": o.vendor_id,
                     "vendor_name": o.vendor.name, "title": localized(o, "title"),
                     "description": localized(o, "description"), "duration_min": o.duration_min,
                     "price_model": o.price_model, "price_cents": o.price_cents} for o in offerings])


def _slot_range():
    """``(first local date or None, days)`` from the query, or an error message."""
    first, days = None, 14
    text = request.args.get("from")
    if text not in (None, ""):
        try:
            first = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            first = None
        if first is None or not 2000 <= first.year <= 2100:
            return _("Give the date as YYYY-MM-DD.")
    if request.args.get("days") not in (None, ""):
        days = request.args.get("days", type=int)
        if days is None or not 1 <= days <= 14:
            return _("Ask for 1 to 14 days.")
    return first, days


@bp.get("/offerings/<int:offering_id>/slots")
@documented(query=SlotsQuery, ok=(200, list[SlotOut]), errors=(400, 403, 404), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_slots(offering_id):
    """An offering's bookable start times (every 30 minutes) over up to 14 local days."""
    found = catalog.get_offering(current_user.store_id, offering_id)
    if found is None:
        return api_error(_("This was not found."), 404)
    parsed = _slot_range()
    if isinstance(parsed, str):
        return api_error(parsed, 400)
    first, days = parsed
    now = utcnow()
    today = now.astimezone(catalog.store_tz(current_user.store)).date()
    first = max(first or today, today)
    if first > today + timedelta(days=60):
        return jsonify([])
    return jsonify(_slots_json(catalog.list_slots(found, current_user.store, now, first_day=first, days=days)))


def _booking_input(data):
    """``(offering, starts_at, address_id, description, payment, key)`` or ``(message, status)``."""
    offering_id, address_id, key = data.get("offering_id"), data.get("address_id"), data.get("idempotency_key")
    description, payment = data.get("description", ""), data.get("payment_method", "wallet")
    for number in (offering_id, address_id):
        if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31:
            return _("Send offering_id and address_id as numbers."), 400
    if not isinstance(key, str) or not 8 <= len(key) <= 64:
        return _("Send an idempotency key of 8 to 64 characters."), 400
    if not isinstance(description, str) or len(description) > 1000 or payment not in ("wallet", "cash"):
        return _("Send a description of at most 1000 characters and payment_method wallet or cash."), 400
    starts_at = parse_start(data.get("starts_at"))
    if starts_at is None:
        return _("Send starts_at as one of the slots' starts_at."), 400
    found = catalog.get_offering(current_user.store_id, offering_id)
    if found is None:
        return _("This was not found."), 404
    return found, starts_at, address_id, description, payment, key


@bp.post("/bookings")
@documented(json=BookingIn, ok=(201, BookingOut), errors=(403, 404, 409), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_book():
    """Book a slot (hold and confirm in one call). A replay of the idempotency key returns the first
    booking; 409 with ``next_slots`` when the time was just taken."""
    parsed = _booking_input(json_object(request))
    if isinstance(parsed[0], str):
        return api_error(*parsed)
    found, starts_at, address_id, description, payment, key = parsed
    now = utcnow()
    try:
        with transaction():
            made = booking.book(current_user, found, starts_at, store=current_user.store, address_id=address_id,
                                description=description, payment_method=payment, now=now, idempotency_key=key)
            body = _booking_json(made, now)
    except SlotTaken as exc:
        return _taken(exc)
    except DomainError as exc:
        return api_error(exc.message, 409 if exc.status not in (400, 404, 409) else exc.status)
    return jsonify(body), 201


@bp.get("/bookings")
@documented(ok=(200, list[BookingOut]), errors=(403,), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_bookings():
    """The resident's own bookings, the latest start first."""
    now = utcnow()
    return jsonify([_booking_json(found, now) for found in booking.list_resident_bookings(current_user.id)])


@bp.get("/bookings/<int:booking_id>")
@documented(ok=(200, BookingOut), errors=(403, 404), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_booking(booking_id):
    """One of the resident's bookings (someone else's is 404)."""
    found, error = _own_booking(booking_id)
    return error or jsonify(_booking_json(found, utcnow()))


@bp.post("/bookings/<int:booking_id>/cancel")
@documented(ok=(200, BookingOut), errors=(403, 404, 409), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_cancel(booking_id):
    """Cancel: free early, the category's fee late (``fee_cents``); 409 too late or once under way."""
    found, error = _own_booking(booking_id)
    if error:
        return error
    now = utcnow()
    try:
        with transaction():
            body = _booking_json(booking_changes.cancel_booking(found, now=now, by="resident",
                                                                actor_id=current_user.id), now)
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    return jsonify(body)


@bp.post("/bookings/<int:booking_id>/reschedule")
@documented(json=RescheduleIn, ok=(200, BookingOut), errors=(403, 404, 409), security=SIGNED_IN, tags=TAGS)
@resident_only
def api_reschedule(booking_id):
    """Move to another free slot of the same offering; 409 inside the fee window, too late, or taken
    (then with ``next_slots``)."""
    found, error = _own_booking(booking_id)
    if error:
        return error
    starts_at = parse_start(json_object(request).get("starts_at"))
    if starts_at is None:
        return api_error(_("Send starts_at as one of the slots' starts_at."), 400)
    now = utcnow()
    try:
        with transaction():
            body = _booking_json(booking_changes.reschedule_booking(found, starts_at, store=current_user.store,
                                                                    now=now), now)
    except SlotTaken as exc:
        return _taken(exc)
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    return jsonify(body)
