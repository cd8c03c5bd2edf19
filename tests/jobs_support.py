"""A small marketplace for the job tests: one cleaning category, three approved vendors (the booked
one first) with one crew each, available every day 08:00-18:00, and one booking requested by a
resident for 10:00 on ``DAY`` (Shanghai), its first offer open for 30 minutes from ``BOOKED_AT``."""
from datetime import date, timedelta

from services.booking_models import Booking
from services.models import Vendor
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from tests.services_support import (add_booking, add_category, add_offering, add_vendor, add_weekly_availability,
                                    local)

DAY = date(2026, 12, 10)
BOOKED_AT = local(DAY - timedelta(days=1), 9)
STARTS_AT = local(DAY, 10)


class Market:
    """Plain ids of what ``build_market`` made; ``get``-style helpers need an app context."""

    def __init__(self, **ids):
        self.__dict__.update(ids)

    def booking(self, booking_id=None):
        return db.session.get(Booking, booking_id or self.booking_id)

    def user(self, user_id):
        return db.session.get(User, user_id)

    def vendor_user(self, n):
        return db.session.get(User, db.session.get(Vendor, self.vendor_ids[n]).owner_id)


def build_market(app, store_id, resident_id, *, vendors=3, lockout=False, payment_method="wallet", **booking):
    """Make the market inside its own transaction; returns a ``Market`` of ids."""
    with app.app_context(), transaction():
        category = add_category(store_id, slug="lockout" if lockout else "cleaning", needs_verified_address=lockout)
        made = [add_vendor(store_id, [category], name=f"Vendor {n}") for n in range(vendors)]
        for vendor in made:
            add_weekly_availability(vendor)
        offering = add_offering(made[0], category)
        first = add_booking(resident_id, offering, booking.pop("starts_at", STARTS_AT), now=BOOKED_AT,
                            payment_method=payment_method, **booking)
        return Market(store_id=store_id, resident_id=resident_id, category_id=category.id,
                      vendor_ids=[v.id for v in made], crew_ids=[v.crews[0].id for v in made],
                      owner_ids=[v.owner_id for v in made], offering_id=offering.id, booking_id=first.id)
