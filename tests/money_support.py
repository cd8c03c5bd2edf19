"""Shared set-up for the money, guarantee, review and standing tests: one store with staff, a resident
with a wallet, a vendor with two crews and an offering, and completed jobs as rows."""
from dataclasses import dataclass
from datetime import date, timedelta

from services import ledger
from services.booking_models import Booking
from services.models import Vendor
from services.statuses import BookingStatus
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from store_app.wallet.operations import credit
from tests.services_support import add_booking, add_category, add_offering, add_vendor, local

DAY = date(2026, 11, 16)  # a Monday
COMPLETED_AT = local(DAY, 12)


@dataclass
class Market:
    store_id: int
    staff_id: int
    resident_id: int
    resident_phone: str
    vendor_id: int
    vendor_owner_phone: str
    other_vendor_id: int
    category_id: int
    offering_id: int
    other_offering_id: int


def build_market(app, create_store, create_user):
    """The market, as plain ids (use them inside an app context)."""
    store_id = create_store()
    staff_id, _ = create_user(store_id, Role.STAFF, name="Staff")
    resident_id, resident_phone = create_user(store_id, Role.RESIDENT, name="Resident")
    with app.app_context(), transaction():
        category = add_category(store_id, guarantee_days=7, damage_cap_cents=50_000)
        vendor = add_vendor(store_id, [category], name="洁净家政", crews=2)
        other = add_vendor(store_id, [category], name="Sparkle Co", licence_number="91350100M000100Y43")
        offering = add_offering(vendor, category)
        other_offering = add_offering(other, category, title_en="Deep cleaning", price_cents=30_000)
        credit(resident_id, store_id, 100_000, "topup", now=COMPLETED_AT - timedelta(days=10))
        owner_phone = db.session.get(User, vendor.owner_id).phone
        return Market(store_id, staff_id, resident_id, resident_phone, vendor.id, owner_phone, other.id, category.id,
                      offering.id, other_offering.id)


def completed_job(market, *, starts_at=None, payment_method="wallet", completed_at=COMPLETED_AT, offering_id=None,
                  crew_index=0, status=BookingStatus.COMPLETED, record=True, **values):
    """A job done and confirmed (its earning and commission in the ledger); call inside a transaction."""
    from services.models import Offering

    offering = db.session.get(Offering, offering_id or market.offering_id)
    starts_at = starts_at or completed_at - timedelta(hours=4)
    booking = add_booking(market.resident_id, offering, starts_at, status=status,
                          crew=offering.vendor.crews[crew_index], payment_method=payment_method,
                          completed_at=completed_at, arrived_at=values.pop("arrived_at", starts_at), now=starts_at - timedelta(days=1), **values)
    if record:
        ledger.record_completion(booking, now=completed_at)
    return booking


def user(user_id):
    return db.session.get(User, user_id)


def vendor(vendor_id):
    return db.session.get(Vendor, vendor_id)


def booking(booking_id):
    return db.session.get(Booking, booking_id)
