"""Marketplace vendor pages a crawl reaches only when there is something to show: an application
waiting for staff, a category, and a vendor login with its offering and hours. Made here for the
accessibility scans."""
from werkzeug.security import generate_password_hash

from services.categories import ensure_default_categories, list_categories
from services.models import AvailabilityException, Vendor
from store_app.accounts.models import User
from store_app.extensions import db
from store_app.roles import Role
from tests.browser.pages import DEMO_PASSWORD
from tests.services_support import add_offering, add_vendor, add_weekly_availability

VENDOR_PHONE = "+8613700137000"


def vendor_console_pages(session, store_id):
    """``[an application's page, a category's page]`` of the store, made when missing."""
    ensure_default_categories(store_id)
    category = list_categories(store_id)[0]
    vendor_id = session.scalar(db.select(Vendor.id).where(Vendor.store_id == store_id, Vendor.vetting == "applied"))
    if vendor_id is None:
        vendor_id = add_vendor(store_id, [category], name="洁净家政", vetting="applied", crews=0).id
    return [f"/console/services/vendors/{vendor_id}", f"/console/services/categories/{category.id}"]


def approved_vendor(session, store_id):
    """The phone of an approved vendor login (the demo password) with an offering, hours and a date off."""
    from datetime import date

    if session.scalar(db.select(User.id).where(User.phone == VENDOR_PHONE)) is None:
        ensure_default_categories(store_id)
        category = list_categories(store_id)[0]
        owner = User(store_id=store_id, phone=VENDOR_PHONE, name="洁净家政", name_en="Clean Home",
                     role=Role.VENDOR.value,
                     password_hash=generate_password_hash(DEMO_PASSWORD, method="scrypt:1024:8:1"))
        session.add(owner)
        session.flush()
        vendor = add_vendor(store_id, [category], name="洁净家政", owner=owner)
        add_offering(vendor, category)
        add_weekly_availability(vendor, byday="MO,TU,WE")
        session.add(AvailabilityException(vendor_id=vendor.id, day=date(2030, 3, 5), note="休息"))
        session.flush()
    return VENDOR_PHONE
