"""A marketplace ready to book: a shop with a resident (wallet funded), a cleaning category and one
vendor with crews, an offering and daily availability 08:00-18:00. Plain ids out (safe outside the
app context). Needs an app context; commits."""
from datetime import date, datetime, timedelta, timezone

from store_app.database import transaction
from tests.conftest import ShopIds, add_shopper, build_shop
from tests.services_support import add_category, add_offering, add_vendor, add_weekly_availability, local

# Everything happens around a fixed clock: Monday 2026-12-07 09:00 in Shanghai.
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
TOMORROW = date(2026, 12, 8)
IN_TWO_DAYS = date(2026, 12, 9)
_numbers = iter(range(1, 10**6))


def build_market(*, crews=1, balance_cents=100_000, category_options=None, accepts_cash=True, shop=None):
    """``ShopIds`` with store_id, resident_id, address_id, phone, category_id, vendor_id, offering_id, crew_ids."""
    options = dict(category_options or {})
    if shop is not None:  # a second market in the same store: a category of its own
        options.setdefault("slug", f"cleaning-{next(_numbers)}")
    shop = shop or build_shop(couriers=0, now=NOW)
    shopper = add_shopper(shop, balance_cents=balance_cents)
    with transaction():
        category = add_category(shop.store_id, **options)
        vendor = add_vendor(shop.store_id, [category], crews=crews)
        vendor.accepts_cash = accepts_cash
        offering = add_offering(vendor, category)
        add_weekly_availability(vendor)
        ids = ShopIds(store_id=shop.store_id, resident_id=shopper.user_id, phone=shopper.phone,
                      address_id=shopper.address_id, category_id=category.id, vendor_id=vendor.id,
                      offering_id=offering.id, crew_ids=[crew.id for crew in vendor.crews],
                      vendor_owner_id=vendor.owner_id, zone_id=shop.zone_id, shop=shop)
    return ids


def at(day, hour, minute=0):
    """A UTC instant of a Shanghai wall time."""
    return local(day, hour, minute)


__all__ = ["NOW", "TOMORROW", "IN_TWO_DAYS", "build_market", "at", "timedelta"]
