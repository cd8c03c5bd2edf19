"""The vendor's pages and the staff's vetting pages through the test client: who gets each page,
documents kept private, bad input answered 4xx with the form filled in, Chinese and English."""
import io

import pytest

from services.models import Offering, Vendor, VendorDocument
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from tests.conftest import PASSWORD, new_phone
from tests.photo_files import instance_files, photo_bytes
from tests.vendor_support import PDF, USCC, apply_company, setup_store

from .conftest import post_form, text_of


@pytest.fixture
def world(app, community):
    """The community's store with its five categories and a zone."""
    with app.app_context(), transaction():
        cats, zone = setup_store(community["store_id"])
        community["categories"] = [c.id for c in cats]
        community["zone"] = zone.id
    return community


def _phone(world, role):
    return world["users"][role][1]


def _apply_form(world, **change):
    data = {"kind": "company", "name": "洁净家政", "id_number": USCC, "phone": new_phone(), "password": PASSWORD,
            "categories": [str(world["categories"][0])], "zones": [str(world["zone"])],
            "licence": (PDF, "licence.pdf")}
    # A file's bytes become a fresh stream for each request (a parameter's stream is read once).
    return {name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
            for name, value in (data | change).items()}


def _post_apply(client, data, lang="en"):
    return post_form(client, "/vendor/apply", data, token_from="/vendor/apply", content_type="multipart/form-data",
                     headers={"Accept-Language": lang})


def _vendor(app, phone):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.phone == phone))
        return db.session.scalar(db.select(Vendor).where(Vendor.owner_id == user.id)) if user else None


def test_a_visitor_applies_and_lands_on_the_waiting_page(app, client, world):
    assert client.get("/vendor/apply", headers={"Accept-Language": "en"}).status_code == 200
    data = _apply_form(world)
    response = _post_apply(client, data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/vendor/")
    page = client.get("/vendor/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Your application is waiting" in text_of(page)
    assert "9135**********0Y43" in text_of(page) and USCC not in text_of(page)
    vendor = _vendor(app, data["phone"])
    assert vendor is not None and vendor.vetting == "applied"


@pytest.mark.parametrize("change, message", [
    ({"id_number": "91350100M000100Y44"}, "This is not a valid unified social credit code"),
    ({"kind": "individual"}, "This is not a valid resident ID number"),
    ({"licence": (b"GIF89a not allowed", "licence.pdf")}, "Send a PDF, JPEG or PNG file."),
    ({"categories": []}, "Choose at least one of the listed services."),
    ({"zones": ["999999"]}, "Choose at least one of the listed areas."),
    ({"phone": "12345"}, "Please enter a valid mobile phone number."),
])
def test_bad_applications_come_back_filled_in_and_write_nothing(app, client, world, change, message):
    before = instance_files(app)
    response = _post_apply(client, _apply_form(world, **change))
    page = text_of(response)
    assert response.status_code == 400 and message in page
    assert 'value="洁净家政"' in page  # the name typed is still there
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Vendor)) == 0
    assert instance_files(app) == before


def test_the_apply_page_is_in_chinese_for_a_chinese_browser(client, world, compiled_catalogs):
    page = text_of(client.get("/vendor/apply", headers={"Accept-Language": "zh-CN"}))
    assert "提交申请" in page or "申请" in page
    assert "Send my application" not in page


@pytest.fixture
def applied(app, world):
    with app.app_context(), transaction():
        vendor = apply_company(world["store_id"])
        phone = db.session.get(User, vendor.owner_id).phone
        doc_id = db.session.scalar(db.select(VendorDocument.id).where(VendorDocument.vendor_id == vendor.id))
        return {"vendor_id": vendor.id, "phone": phone, "doc_id": doc_id}


def test_documents_open_for_their_vendor_and_staff_only(app, world, applied, login_client):
    path = f"/vendor/documents/{applied['doc_id']}"
    owner = login_client(applied["phone"])
    with owner.get(path) as response:
        assert response.data == PDF and response.headers["Content-Type"] == "application/pdf"
    staff = login_client(_phone(world, Role.STAFF))
    with staff.get(path) as response:
        assert response.status_code == 200 and response.headers["Cache-Control"].startswith("private")
    with app.app_context(), transaction():
        other = apply_company(world["store_id"])
        other_phone = db.session.get(User, other.owner_id).phone
    assert login_client(other_phone).get(path).status_code == 404
    assert login_client(_phone(world, Role.RESIDENT)).get(path).status_code == 403
    assert app.test_client().get(path).status_code == 302  # to the login


def test_staff_see_applications_and_decide(app, world, applied, login_client):
    staff = login_client(_phone(world, Role.STAFF))
    listing = staff.get("/console/services/vendors", headers={"Accept-Language": "en"})
    assert listing.status_code == 200 and "洁净家政" in text_of(listing) and "9135**********0Y43" in text_of(listing)
    page = staff.get(f"/console/services/vendors/{applied['vendor_id']}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and f"/vendor/documents/{applied['doc_id']}" in text_of(page)
    path = f"/console/services/vendors/{applied['vendor_id']}"
    refused = post_form(staff, f"{path}/more", {"note": ""}, token_from=path, headers={"Accept-Language": "en"})
    assert refused.status_code == 400 and "Say what is missing" in text_of(refused)
    asked = post_form(staff, f"{path}/more", {"note": "请补充保险单"}, token_from=path)
    assert asked.status_code == 303
    vendor = login_client(applied["phone"])
    home = text_of(vendor.get("/vendor/", headers={"Accept-Language": "en"}))
    assert "请补充保险单" in home and "/vendor/application" in home
    fix = vendor.get("/vendor/application", headers={"Accept-Language": "en"})
    assert fix.status_code == 200 and 'value="洁净家政"' in text_of(fix)
    resent = post_form(vendor, "/vendor/application", {
        "kind": "company", "name": "洁净家政", "id_number": USCC, "categories": [str(world["categories"][0])],
        "zones": [str(world["zone"])], "insurance": (io.BytesIO(PDF), "insurance.pdf")},
        token_from="/vendor/application", content_type="multipart/form-data")
    assert resent.status_code == 303
    assert post_form(staff, f"{path}/approve", {}, token_from=path).status_code == 303
    assert _vendor(app, applied["phone"]).vetting == "approved"
    again = post_form(staff, f"{path}/reject", {"note": "late"}, token_from=path, headers={"Accept-Language": "en"})
    assert again.status_code == 409 and "not waiting for a decision" in text_of(again)


@pytest.mark.parametrize("path", ["/console/services/vendors", "/console/services/categories"])
def test_console_pages_are_for_staff_and_owner(world, login_client, path):
    for role, status in ((Role.RESIDENT, 403), (Role.COURIER, 403), (Role.VENDOR, 403), (Role.STAFF, 200),
                         (Role.OWNER, 200)):
        assert login_client(_phone(world, role)).get(path).status_code == status, role


def test_another_stores_vendor_is_404_for_staff(app, world, applied, create_store, create_user, login_client):
    other_staff = create_user(create_store(name="Other"), Role.STAFF)[1]
    assert login_client(other_staff).get(f"/console/services/vendors/{applied['vendor_id']}").status_code == 404


@pytest.fixture
def approved(app, world, applied, login_client):
    staff = login_client(_phone(world, Role.STAFF))
    path = f"/console/services/vendors/{applied['vendor_id']}"
    assert post_form(staff, f"{path}/approve", {}, token_from=path).status_code == 303
    return login_client(applied["phone"])


def test_an_approved_vendor_sets_up_offerings_hours_and_crew(app, world, applied, approved, login_client):
    en = {"Accept-Language": "en"}
    home = text_of(approved.get("/vendor/", headers=en))
    assert "Get ready to take jobs" in home
    for path in ("/vendor/offerings", "/vendor/offerings/new", "/vendor/hours", "/vendor/crew"):
        assert approved.get(path, headers=en).status_code == 200, path
    offering = {"category_id": str(world["categories"][0]), "title_zh": "日常保洁", "title_en": "Home cleaning",
                "description_zh": "", "description_en": "", "duration_min": "120", "buffer_before_min": "15",
                "buffer_after_min": "15", "price_model": "fixed", "price": "abc",
                "photos": [(io.BytesIO(photo_bytes("JPEG", gps=True)), "a.jpg")]}
    bad = post_form(approved, "/vendor/offerings/new", offering, token_from="/vendor/offerings/new",
                    content_type="multipart/form-data", headers=en)
    assert bad.status_code == 400 and "Give the price in yuan" in text_of(bad) and 'value="日常保洁"' in text_of(bad)
    offering |= {"price": "199.50", "photos": [(io.BytesIO(photo_bytes("JPEG", gps=True)), "a.jpg")]}
    saved = post_form(approved, "/vendor/offerings/new", offering, token_from="/vendor/offerings/new",
                      content_type="multipart/form-data")
    assert saved.status_code == 303
    with app.app_context():
        row = db.session.scalar(db.select(Offering))
        assert row.price_cents == 19950 and len(row.photos) == 1
        offering_id, photo = row.id, row.photos[0]
    with app.test_client().get(f"/vendor/photos/{photo}") as response:
        assert response.status_code == 200 and response.data[:4] == b"RIFF"
    assert approved.get(f"/vendor/offerings/{offering_id}").status_code == 200
    rule = post_form(approved, "/vendor/hours/rules", {"days": ["MO", "TU"], "start": "08:00", "end": "18:00",
                                                      "crews": "1"}, token_from="/vendor/hours")
    assert rule.status_code == 303
    too_many = post_form(approved, "/vendor/hours/rules", {"days": ["MO"], "start": "08:00", "end": "18:00",
                                                          "crews": "3"}, token_from="/vendor/hours", headers=en)
    assert too_many.status_code == 400 and "Between 1 and 1" in text_of(too_many)
    notice = post_form(approved, "/vendor/hours/notice", {"min_notice": "3", "min_notice_unit": "h"},
                       token_from="/vendor/hours")
    assert notice.status_code == 303 and _vendor(app, applied["phone"]).min_notice_min == 180
    crew_phone = new_phone()
    added = post_form(approved, "/vendor/crew", {"name": "李师傅", "phone": crew_phone, "password": PASSWORD},
                      token_from="/vendor/crew")
    assert added.status_code == 303
    member = login_client(crew_phone)
    assert "洁净家政" in text_of(member.get("/vendor/"))
    assert member.get("/vendor/offerings/new").status_code == 200
    assert member.get(f"/vendor/documents/{applied['doc_id']}").status_code == 404


def test_another_vendors_offering_is_404(app, world, approved):
    with app.app_context(), transaction():
        other = apply_company(world["store_id"])
        from tests.services_support import add_offering
        from services.models import ServiceCategory
        other.vetting = "approved"
        offering_id = add_offering(other, db.session.get(ServiceCategory, world["categories"][0])).id
    assert approved.get(f"/vendor/offerings/{offering_id}").status_code == 404
    assert post_form(approved, f"/vendor/offerings/{offering_id}/active", {"active": "0"},
                     token_from="/vendor/offerings").status_code == 404


def test_a_waiting_vendor_cannot_publish(world, applied, login_client):
    vendor = login_client(applied["phone"])
    response = post_form(vendor, "/vendor/hours/rules", {"days": ["MO"], "start": "08:00", "end": "18:00",
                                                        "crews": "1"}, token_from="/vendor/hours",
                         headers={"Accept-Language": "en"})
    assert response.status_code == 403


def test_staff_edit_a_category(app, world, login_client):
    staff = login_client(_phone(world, Role.STAFF))
    category_id = world["categories"][0]
    path = f"/console/services/categories/{category_id}"
    page = staff.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'value="15"' in text_of(page)
    data = {"name_zh": "家政保洁", "name_en": "Cleaning", "commission_pct": "12.5", "free_cancel_h": "24",
            "late_cancel_pct": "50", "no_show_pct": "100", "book_notice": "2", "book_notice_unit": "h",
            "cancel_notice": "0", "cancel_notice_unit": "min", "reschedule_notice": "4",
            "reschedule_notice_unit": "h", "guarantee_days": "7", "damage_cap": "2000", "terms_zh": "条款",
            "terms_en": "Terms", "is_active": "y"}
    bad = post_form(staff, path, data | {"commission_pct": "150"}, token_from=path, headers={"Accept-Language": "en"})
    assert bad.status_code == 400 and "Give a percentage" in text_of(bad)
    assert post_form(staff, path, data, token_from=path).status_code == 303
    from services.models import ServiceCategory
    with app.app_context():
        category = db.session.get(ServiceCategory, category_id)
        assert (category.commission_bps, category.book_notice_min, category.damage_cap_cents) == (1250, 120, 200000)
        assert category.needs_verified_address is False


def test_vendor_home_is_the_vendor_roles_home(world, login_client):
    vendor = login_client(_phone(world, Role.VENDOR))
    response = vendor.get("/")
    assert response.headers["Location"].endswith("/vendor/")
    assert vendor.get("/vendor/").headers["Location"].endswith("/vendor/apply")
    assert vendor.get("/vendor/apply").status_code == 200
    for role in (Role.RESIDENT, Role.STAFF):
        assert login_client(_phone(world, role)).get("/vendor/").status_code == 403


HOSTILE = ("2147483648", "9223372036854775808", "-5", "NaN", "1e400", "abc", "²", "", "x" * 5000, "\x00")


def test_hostile_values_in_every_vendor_form_get_no_5xx(app, world, applied, approved, login_client):
    forms = {
        "/vendor/offerings/new": ("category_id", "duration_min", "buffer_before_min", "price", "price_model",
                                  "title_zh", "remove_photos"),
        "/vendor/hours/rules": ("days", "start", "end", "crews"),
        "/vendor/hours/exceptions": ("day", "exception_start", "exception_end", "note"),
        "/vendor/hours/notice": ("min_notice", "min_notice_unit"),
        "/vendor/crew": ("name", "phone", "password"),
    }
    base = {"category_id": str(world["categories"][0]), "title_zh": "保洁", "title_en": "Cleaning",
            "duration_min": "60", "buffer_before_min": "0", "buffer_after_min": "0", "price_model": "fixed",
            "price": "10", "days": ["MO"], "start": "08:00", "end": "09:00", "crews": "1", "day": "2030-01-01",
            "min_notice": "1", "min_notice_unit": "h", "name": "X", "phone": "12", "password": "p"}
    for path, fields in forms.items():
        for name in fields:
            for value in HOSTILE:
                response = post_form(approved, path, base | {name: value}, token_from="/vendor/hours")
                assert response.status_code < 500, (path, name, value[:20])
    with app.app_context():  # harmless values (a title "abc", a photo to remove that is none) were saved as sent
        saved = db.session.execute(db.select(Offering.price_cents, Offering.duration_min)).all()
        assert saved and set(saved) == {(1000, 60)}
    staff = login_client(_phone(world, Role.STAFF))
    category_path = f"/console/services/categories/{world['categories'][0]}"
    for name in ("commission_pct", "damage_cap", "book_notice", "free_cancel_h", "guarantee_days"):
        for value in HOSTILE:
            response = post_form(staff, category_path, {"name_zh": "a", "name_en": "b", name: value},
                                 token_from=category_path)
            assert response.status_code == 400, (name, value[:20])
    for decision in ("more", "reject"):
        response = post_form(staff, f"/console/services/vendors/{applied['vendor_id']}/{decision}",
                             {"note": "x" * 5000}, token_from="/console/services/vendors")
        assert response.status_code == 400


def test_vendor_logins_are_not_on_the_stores_team(world, applied, login_client):
    staff = login_client(_phone(world, Role.STAFF))
    team = text_of(staff.get("/console/team", headers={"Accept-Language": "en"}))
    assert "staff person" in team and "洁净家政" not in team
