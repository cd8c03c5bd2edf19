"""Vendors on a real database: applying (login, vendor, documents), staff vetting it (conditional
moves, notices, the first crew), crews, offerings and availability."""
from datetime import date

import pytest

from services import (categories, documents, id_rules, vendor_hours, vendor_offerings, vendor_setup,
                      vetting)
from services.errors import (AlreadyApplied, ChoiceRefused, CrewsInUse, DocumentRefused, HoursRefused,
                             IdNumberRefused, LastCrew, NoteMissing, NotApproved, NotFound, NotVendorOwner,
                             VettingChanged)
from services.models import Crew, ServiceCategory, Vendor, VendorDocument
from store_app.accounts.errors import PhoneTaken
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.notifications.presenters import render
from store_app.roles import Role
from store_app.uploads import storage
from tests.conftest import new_phone
from tests.photo_files import instance_files, photo_bytes
from tests.vendor_support import NOW, PASSWORD, PDF, RIC, USCC, apply_company, read, setup_store


@pytest.fixture
def shop(app, create_store, create_user):
    store_id = create_store()
    staff_id = create_user(store_id, Role.STAFF, name="Staff")[0]
    with app.app_context(), transaction():
        cats, zone = setup_store(store_id)
        ids = {"categories": [c.id for c in cats], "zone": zone.id}
    return store_id, staff_id, ids


def _staff(staff_id):
    return db.session.get(User, staff_id)


def test_default_categories_are_made_once_with_terms_in_both_languages(app, shop):
    store_id, _staff_id, _ids = shop
    with app.app_context(), transaction():
        assert categories.ensure_default_categories(store_id) == 0
        made = categories.list_categories(store_id)
        assert [c.slug for c in made] == ["cleaning", "locksmith", "drains", "appliance-repair", "moving-help"]
        locksmith = made[1]
        assert locksmith.needs_verified_address and locksmith.book_notice_min < made[0].book_notice_min
        assert all("7" in c.terms_zh and "7 days" in c.terms_en and "Redo:" in c.terms_en for c in made)
        # The terms say what the guarantee does: cash jobs are not covered.
        assert all("现金" in c.terms_zh and "paid in cash on site are not" in c.terms_en for c in made)


def test_applying_makes_a_vendor_login_and_a_waiting_vendor_with_its_documents(app, shop):
    store_id, _staff_id, ids = shop  # the staff member is told
    with app.app_context(), transaction():
        vendor = apply_company(store_id)
        vendor_id, owner_id = vendor.id, vendor.owner_id
    with app.app_context():
        vendor = db.session.get(Vendor, vendor_id)
        owner = db.session.get(User, owner_id)
        assert owner.role == Role.VENDOR.value and vendor.vetting == "applied"
        assert vendor.licence_number == USCC and vendor.id_number == ""
        assert vendor_setup.zone_ids_of(vendor_id) == {ids["zone"]}
        docs = documents.list_documents(vendor_id)
        assert [(d.kind, d.content_type) for d in docs] == [("licence", "application/pdf")]
        assert storage.path_of(documents.DOCUMENT_FOLDER, docs[0].file_name).read_bytes() == PDF
        assert vendor_setup.get_vendor_for_user(owner_id).id == vendor_id
        told = db.session.scalar(db.select(Notification).where(Notification.user_id == _staff_id))
        assert (told.kind, told.link) == ("vendor_applied", f"/console/services/vendors/{vendor_id}")
        with app.test_request_context(headers={"Accept-Language": "en"}):
            assert render(told)[1].startswith("洁净家政 applied to offer services.")


@pytest.mark.parametrize("number", ["91350100M000100Y44", "123", ""])
def test_a_bad_licence_number_writes_nothing(app, shop, number):
    store_id, _staff_id, ids = shop
    before = instance_files(app)
    with app.app_context():
        with pytest.raises(IdNumberRefused), transaction():
            vendor_setup.apply(store_id, name="X", kind="company", id_number=number, phone=new_phone(),
                               password=PASSWORD, category_ids=ids["categories"][:1], zone_ids=[ids["zone"]],
                               files={"licence": read(PDF)}, now=NOW)
        assert db.session.scalar(db.select(db.func.count()).select_from(Vendor)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.role == "vendor")) == 0
    assert instance_files(app) == before


def test_an_individual_applies_with_an_id_number_and_a_re_encoded_id_photo(app, shop):
    store_id, _staff_id, ids = shop
    with app.app_context(), transaction():
        vendor = vendor_setup.apply(store_id, name="王师傅", kind="individual", id_number=RIC.lower(),
                                    phone=new_phone(), password=PASSWORD, category_ids=ids["categories"][1:3],
                                    zone_ids=[ids["zone"]],
                                    files={"identity": read(photo_bytes("JPEG", gps=True), "identity")}, now=NOW)
        assert vendor.id_number == RIC and id_rules.mask_number(vendor.id_number) == "1101**********002X"
        doc = documents.list_documents(vendor.id)[0]
        assert doc.content_type == "image/webp" and doc.kind == "identity"


@pytest.mark.parametrize("change, error", [
    ({"category_ids": [10 ** 6]}, ChoiceRefused), ({"zone_ids": []}, ChoiceRefused),
    ({"files": {}}, DocumentRefused), ({"kind": "club"}, ChoiceRefused),
])
def test_applications_missing_a_part_are_refused(app, shop, change, error):
    store_id, _staff_id, ids = shop
    values = dict(name="X", kind="company", id_number=USCC, phone=new_phone(), password=PASSWORD,
                  category_ids=ids["categories"][:1], zone_ids=[ids["zone"]], now=NOW)
    with app.app_context():
        values.setdefault("files", {"licence": read(PDF)})
        with pytest.raises(error), transaction():
            vendor_setup.apply(store_id, **(values | change))
        assert db.session.scalar(db.select(db.func.count()).select_from(Vendor)) == 0


def test_documents_are_told_by_their_bytes(app):
    with app.app_context():
        for data, code in ((b"GIF89a....", "type"), (b"", "empty"), (b"MZ\x90\x00", "type")):
            with pytest.raises(DocumentRefused) as caught:
                read(data)
            assert caught.value.field == "licence"
        app.config["VENDOR_DOCUMENT_MAX_BYTES"] = 1024
        with pytest.raises(DocumentRefused):
            read(PDF + b"x" * 2048)
        png = read(photo_bytes("PNG"))
        assert png.content_type == "image/webp" and png.data[:4] == b"RIFF"


def test_one_login_applies_once_and_a_taken_phone_is_refused(app, shop):
    store_id, _staff_id, ids = shop
    with app.app_context(), transaction():
        owner_id = apply_company(store_id).owner_id
        phone = db.session.get(User, owner_id).phone
    with app.app_context():
        owner = db.session.get(User, owner_id)
        with pytest.raises(AlreadyApplied), transaction():
            vendor_setup.apply(store_id, user=owner, name="X", kind="company", id_number=USCC,
                               category_ids=ids["categories"][:1], zone_ids=[ids["zone"]],
                               files={"licence": read(PDF)}, now=NOW)
        with pytest.raises(PhoneTaken), transaction():
            apply_company(store_id, phone=phone)


def test_approving_makes_the_first_crew_and_tells_the_vendor(app, shop):
    store_id, staff_id, _ids = shop
    with app.app_context(), transaction():
        vendor_id = apply_company(store_id).id
    with app.app_context(), transaction():
        vendor = vetting.approve(_staff(staff_id), vendor_id, NOW)
        assert vendor.vetting == "approved" and vendor.vetted_by == staff_id and vendor.vetted_at == NOW
        assert [(c.label, c.user_id) for c in vendor.crews] == [("Crew 1", None)]
        note = db.session.scalar(db.select(Notification).where(Notification.user_id == vendor.owner_id))
        assert note.kind == "vendor_approved"
        with app.test_request_context(headers={"Accept-Language": "en"}):
            assert render(note)[0] == "Your application is approved"
    with app.app_context(), pytest.raises(VettingChanged), transaction():
        vetting.reject(_staff(staff_id), vendor_id, "too late", NOW)


def test_asking_for_more_then_fixing_sends_it_back_to_staff(app, shop):
    store_id, staff_id, ids = shop
    with app.app_context(), transaction():
        vendor_id = apply_company(store_id).id
    with app.app_context():
        with pytest.raises(NoteMissing), transaction():
            vetting.ask_for_more(_staff(staff_id), vendor_id, "   ", NOW)
        with transaction():
            vendor = vetting.ask_for_more(_staff(staff_id), vendor_id, "Insurance is missing.", NOW)
        assert vendor.vetting == "more_info" and vendor.vetting_note == "Insurance is missing."
        with app.test_request_context(headers={"Accept-Language": "en"}):
            body = render(db.session.scalar(db.select(Notification).where(Notification.kind == "vendor_more_info")))[1]
        assert body.startswith("The store asks: Insurance is missing.")
        with transaction():
            vendor = db.session.get(Vendor, vendor_id)
            vendor_setup.fix_application(vendor, name="洁净家政 有限公司", kind="company", id_number=USCC,
                                         category_ids=ids["categories"][:2], zone_ids=[ids["zone"]],
                                         files={"insurance": read(PDF, "insurance")}, now=NOW)
        vendor = db.session.get(Vendor, vendor_id)
        assert vendor.vetting == "applied" and len(vendor.categories) == 2
        assert [d.kind for d in documents.list_documents(vendor_id)] == ["licence", "insurance"]
        with pytest.raises(VettingChanged), transaction():
            vendor_setup.fix_application(vendor, name="X", kind="company", id_number=USCC,
                                         category_ids=ids["categories"][:1], zone_ids=[ids["zone"]], files={},
                                         now=NOW)


def test_rejecting_needs_a_reason_and_another_stores_vendor_is_not_found(app, shop, create_store, create_user):
    store_id, staff_id, _ids = shop
    other_staff = create_user(create_store(name="Other"), Role.STAFF)[0]
    with app.app_context(), transaction():
        vendor_id = apply_company(store_id).id
    with app.app_context():
        with pytest.raises(NotFound), transaction():
            vetting.approve(_staff(other_staff), vendor_id, NOW)
        with transaction():
            vendor = vetting.reject(_staff(staff_id), vendor_id, "Licence expired.", NOW)
        assert vendor.vetting == "rejected"
        assert vetting.count_by_state(store_id)["rejected"] == 1
        assert [v.id for v in vetting.list_applications(store_id, "rejected")] == [vendor_id]


def _approved(app, shop):
    store_id, staff_id, _ids = shop
    with app.app_context(), transaction():
        vendor_id = apply_company(store_id).id
        vendor = vetting.approve(_staff(staff_id), vendor_id, NOW)
        return vendor_id, vendor.owner_id


def test_crew_members_get_their_own_login_and_see_the_same_vendor(app, shop):
    vendor_id, owner_id = _approved(app, shop)
    with app.app_context(), transaction():
        vendor = db.session.get(Vendor, vendor_id)
        crew = vendor_setup.add_crew(vendor, owner_id, name="李师傅", phone=new_phone(), password=PASSWORD)
        crew_id, member_id = crew.id, crew.user_id
    with app.app_context():
        assert vendor_setup.get_vendor_for_user(member_id).id == vendor_id
        vendor = db.session.get(Vendor, vendor_id)
        with pytest.raises(NotVendorOwner), transaction():
            vendor_setup.add_crew(vendor, member_id, name="X", phone=new_phone(), password=PASSWORD)
        with transaction():
            vendor_setup.deactivate_crew(vendor, owner_id, crew_id)
        assert db.session.get(User, member_id).is_enabled is False
        assert vendor_setup.get_vendor_for_user(member_id) is None
        with pytest.raises(LastCrew), transaction():
            vendor_setup.deactivate_crew(vendor, owner_id, vendor.crews[0].id)


def test_a_crew_the_hours_count_on_cannot_be_stopped(app, shop):
    vendor_id, owner_id = _approved(app, shop)
    with app.app_context(), transaction():
        vendor = db.session.get(Vendor, vendor_id)
        crew = vendor_setup.add_crew(vendor, owner_id, name="李师傅", phone=new_phone(), password=PASSWORD)
        vendor_hours.add_rule(vendor, owner_id, days=["MO"], start_min=480, end_min=1020, crews=2)
        crew_id = crew.id
    with app.app_context(), pytest.raises(CrewsInUse), transaction():
        vendor_setup.deactivate_crew(db.session.get(Vendor, vendor_id), owner_id, crew_id)


def test_offerings_need_an_approved_vendor_and_one_of_its_categories(app, shop):
    store_id, staff_id, ids = shop
    values = {"title_zh": "日常保洁", "title_en": "Home cleaning", "description_zh": "", "description_en": "",
              "duration_min": 120, "buffer_before_min": 15, "buffer_after_min": 15, "price_model": "fixed",
              "price_cents": 20000}
    with app.app_context(), transaction():
        waiting = apply_company(store_id)
        waiting_id, waiting_owner = waiting.id, waiting.owner_id
    with app.app_context(), pytest.raises(NotApproved), transaction():
        vendor_offerings.create_offering(db.session.get(Vendor, waiting_id), waiting_owner,
                                         category_id=ids["categories"][0], values=values)
    with app.app_context(), transaction():
        vetting.approve(_staff(staff_id), waiting_id, NOW)
    with app.app_context():
        vendor = db.session.get(Vendor, waiting_id)
        with pytest.raises(ChoiceRefused), transaction():
            vendor_offerings.create_offering(vendor, waiting_owner, category_id=ids["categories"][4], values=values)
        with transaction():
            photo = documents.read_photos([documents_upload(photo_bytes("JPEG", gps=True))])
            offering = vendor_offerings.create_offering(vendor, waiting_owner, category_id=ids["categories"][0],
                                                        values=values, new_photos=photo)
            offering_id, name = offering.id, offering.photos[0]
        assert documents.photo_path(name) is not None
        with transaction():
            vendor_offerings.update_offering(vendor, waiting_owner, offering_id, category_id=ids["categories"][0],
                                             values=values | {"price_model": "hourly", "price_cents": 8000},
                                             removed=[name])
        assert documents.photo_path(name) is None
        with transaction():
            vendor.standing = "suspended"
            stopped = vendor_offerings.set_offering_active(vendor, waiting_owner, offering_id, False)
        assert stopped.is_active is False and stopped.price_model == "hourly"
        with pytest.raises(NotApproved), transaction():
            vendor_offerings.set_offering_active(vendor, waiting_owner, offering_id, True)


def documents_upload(data):
    from tests.vendor_support import upload
    return upload(data, "photo.jpg")


def test_weekly_hours_exceptions_and_notice(app, shop):
    vendor_id, owner_id = _approved(app, shop)
    today = date(2026, 3, 2)
    with app.app_context():
        vendor = db.session.get(Vendor, vendor_id)
        with transaction():
            rule = vendor_hours.add_rule(vendor, owner_id, days=["WE", "MO"], start_min=480, end_min=1080, crews=1)
        assert rule.rrule == "FREQ=WEEKLY;BYDAY=MO,WE"
        for bad in ({"days": []}, {"crews": 2}, {"start_min": 600, "end_min": 600}, {"end_min": 1500}):
            with pytest.raises(HoursRefused), transaction():
                vendor_hours.add_rule(vendor, owner_id, **({"days": ["MO"], "start_min": 480, "end_min": 600,
                                                            "crews": 1} | bad))
        with transaction():
            vendor_hours.set_exception(vendor, owner_id, day=date(2026, 3, 4), closed=True, today=today)
            vendor_hours.set_exception(vendor, owner_id, day=date(2026, 3, 4), closed=False, start_min=600,
                                       end_min=720, note="半天", today=today)
            vendor_hours.set_min_notice(vendor, owner_id, 180)
        [exception] = vendor_hours.list_exceptions(vendor_id, today)
        assert (exception.start_min, exception.end_min, exception.note) == (600, 720, "半天")
        assert vendor.min_notice_min == 180
        with pytest.raises(HoursRefused), transaction():
            vendor_hours.set_exception(vendor, owner_id, day=date(2026, 3, 1), closed=True, today=today)
        with pytest.raises(HoursRefused), transaction():
            vendor_hours.set_min_notice(vendor, owner_id, 10 ** 6)
        with transaction():
            vendor_hours.delete_rule(vendor, owner_id, rule.id)
            vendor_hours.delete_exception(vendor, owner_id, exception.id)
        assert vendor_hours.list_rules(vendor_id) == [] and vendor_hours.list_exceptions(vendor_id, today) == []


def test_categories_are_edited_within_their_store(app, shop, create_store):
    store_id, _staff_id, ids = shop
    other = create_store(name="Other")
    with app.app_context():
        with pytest.raises(NotFound):
            categories.get_category(other, ids["categories"][0])
        with transaction():
            categories.update_category(store_id, ids["categories"][0], {"commission_bps": 1250, "is_active": False})
        category = db.session.get(ServiceCategory, ids["categories"][0])
        assert (category.commission_bps, category.is_active) == (1250, False)


def test_stored_rows_refer_to_registered_files(app, shop):
    store_id, _staff_id, _ids = shop
    with app.app_context(), transaction():
        apply_company(store_id)
    with app.app_context():
        names = storage.registered_folders()[documents.DOCUMENT_FOLDER]()
        assert names == set(db.session.scalars(db.select(VendorDocument.file_name)))
        assert db.session.scalar(db.select(db.func.count()).select_from(Crew)) == 0
