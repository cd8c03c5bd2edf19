"""Growth's console pages through the test client: staff only (a resident gets 403, another
store's coupon or campaign 404), the coupon editor (every kind, errors translated and the form
filled in again, a typed code shown once and only its hash kept), campaigns (new, dry run, launch,
pause, resume with a budget) and segments (sizes, recompute)."""
import hashlib
import html
import re
from datetime import timedelta

import pytest

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.growth.models import Campaign, CampaignMember, Coupon
from store_app.roles import Role
from tests.conftest import build_shop
from tests.growth_campaign_support import add_campaign, add_coupon, add_residents, buy, set_costs

from .conftest import input_value, post_form

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
PAGES = ("/console/coupons", "/console/coupons/new", "/console/campaigns", "/console/campaigns/new",
         "/console/segments")


def page(response):
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def shop(app):
    with app.app_context():
        now = utcnow()
        shop = build_shop(now=now)
        set_costs(shop, milk=900)
        residents = add_residents(shop.store_id, 12, now=now)
        for uid in residents:
            buy(shop, uid, f"order:f{uid}", placed_at=now - timedelta(days=3))
        shop.residents = residents
        return shop


@pytest.fixture
def staff(app, shop, login_client, create_user, compiled_catalogs):
    """A staff member of the shop, logged in (the catalogues compiled before any page is read:
    Flask-Babel keeps the first catalogue it loads)."""
    _uid, phone = create_user(shop.store_id, Role.STAFF)
    return login_client(phone)


def coupon_form(**overrides):
    data = {"kind": "spend_save", "title_zh": "满十减二", "title_en": "Save 2 on 10", "amount_off": "2",
            "percent_off": "", "cap": "", "min_spend": "10", "min_items": "0", "category_id": "",
            "merchant_id": "", "member_weekday": "", "lines": ["delivery", "pickup"],
            "starts_at": "2026-01-01T08:00", "ends_at": "2030-01-01T08:00", "valid_days": "",
            "per_user_limit": "1", "total_limit": "100", "claimable": "y"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_and_owner_open_every_page(app, shop, staff, login_client, create_user):
    _uid, phone = create_user(shop.store_id, Role.OWNER)
    owner = login_client(phone)
    for client in (staff, owner):
        for path in PAGES:
            assert client.get(path, headers=EN).status_code == 200, path
    assert "Segments" in page(staff.get("/console/coupons", headers=EN))   # the growth menu and sub-navigation


def test_a_resident_gets_403_and_another_store_404(app, shop, staff, login_client, create_user):
    with app.app_context():
        coupon_id = add_coupon(shop.store_id, now=utcnow())
        campaign_id = add_campaign(shop.store_id, coupon_id, now=utcnow())
    _uid, phone = create_user(shop.store_id, Role.RESIDENT)
    resident = login_client(phone)
    for path in (*PAGES, f"/console/coupons/{coupon_id}", f"/console/campaigns/{campaign_id}"):
        assert resident.get(path).status_code == 403, path
    assert post_form(resident, f"/console/campaigns/{campaign_id}/launch").status_code == 403
    with app.app_context():
        other = build_shop(name="Other Store")
    _uid, phone = create_user(other.store_id, Role.STAFF)
    foreign = login_client(phone)
    assert foreign.get(f"/console/coupons/{coupon_id}").status_code == 404
    assert foreign.get(f"/console/campaigns/{campaign_id}").status_code == 404
    assert post_form(foreign, f"/console/campaigns/{campaign_id}/dry-run").status_code == 404
    assert foreign.get("/console/campaigns/999999").status_code == 404


@pytest.mark.parametrize("kind,extra", [
    ("new_user", {"amount_off": "5", "min_spend": ""}),
    ("spend_save", {}),
    ("percent", {"amount_off": "", "percent_off": "15", "cap": "8"}),
    ("free_delivery", {"amount_off": "", "min_spend": "20"}),
    ("member_day", {"amount_off": "", "percent_off": "10", "member_weekday": "2"}),
])
def test_staff_make_a_coupon_of_every_kind(app, staff, kind, extra):
    response = post_form(staff, "/console/coupons/new", coupon_form(kind=kind, **extra), headers=EN)
    assert response.status_code == 303, page(response)[:3000]
    with app.app_context():
        coupon = db.session.scalars(db.select(Coupon).order_by(Coupon.id.desc())).first()
        assert coupon.kind == kind and coupon.line_set() == {"delivery", "pickup"}
        assert coupon.total_limit == 100 and coupon.claimable and coupon.code_hash is None
        if kind == "percent":
            assert (coupon.percent_off, coupon.cap_cents, coupon.amount_off_cents) == (15, 800, 0)
        if kind == "member_day":
            assert coupon.member_weekday == 2
        # 08:00 in Shanghai is midnight UTC.
        assert coupon.starts_at.hour == 0


def test_a_category_limited_coupon(app, shop, staff):
    response = post_form(staff, "/console/coupons/new",
                         coupon_form(category_id=str(shop.category_id), lines=["pickup"]), headers=EN)
    assert response.status_code == 303
    with app.app_context():
        coupon = db.session.scalars(db.select(Coupon).order_by(Coupon.id.desc())).first()
        assert coupon.category_id == shop.category_id and coupon.lines == "pickup"


@pytest.mark.parametrize("overrides,field,message", [
    ({"amount_off": "2", "min_spend": "1"}, "min_spend", "The minimum spend must be more than the amount off."),
    ({"kind": "percent", "amount_off": "", "percent_off": ""}, "percent_off", "Enter a percent from 1 to 99."),
    ({"amount_off": "abc"}, "amount_off", "Enter an amount in yuan, e.g. 12.50."),
    ({"min_spend": "9999999999"}, "min_spend", "Enter an amount up to ¥1,000,000."),
    ({"lines": None}, "lines", "Choose at least one line the coupon applies to."),
    ({"lines": ["delivery", "teleport"]}, "lines", "Choose at least one line the coupon applies to."),
    ({"ends_at": "2020-01-01T08:00"}, "ends_at", "The coupon must end after it starts."),
    ({"ends_at": "soon"}, "ends_at", "Enter a date and a time, e.g. 2026-01-19 21:00."),
    ({"starts_at": "0001-01-01T00:00"}, "starts_at", "Choose a date between the years 2000 and 2100."),
    ({"title_zh": "", "title_en": " "}, "title_zh", "Give the coupon a title in Chinese or English."),
    ({"kind": "member_day", "member_weekday": ""}, "member_weekday", "Choose the member day's weekday."),
    ({"category_id": "999999"}, "category_id", "Not a valid choice."),
    ({"per_user_limit": "0"}, "per_user_limit", "Enter a whole number from 1 to 100."),
])
def test_bad_coupon_input_comes_back_filled_in(app, staff, overrides, field, message):
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Coupon))
    response = post_form(staff, "/console/coupons/new", coupon_form(**overrides), headers=EN)
    assert 400 <= response.status_code < 500
    body = page(response)
    assert message in body
    if field != "title_zh":
        assert input_value(response, "title_en") == "Save 2 on 10"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Coupon)) == before


def test_errors_are_translated(app, staff, compiled_catalogs):
    response = post_form(staff, "/console/coupons/new", coupon_form(per_user_limit="0", min_items="x"), headers=ZH)
    assert response.status_code == 400
    assert input_value(response, "title_zh") == "满十减二"
    body = page(response)
    assert "请输入 1 到 100 之间的整数。" in body and "请填写整数。" in body
    assert "Enter a whole number" not in body


def test_a_typed_code_is_shown_once_and_only_its_hash_kept(app, staff):
    response = post_form(staff, "/console/coupons/new", coupon_form(make_code="y"), headers=EN)
    assert response.status_code == 201
    code = re.search(r'data-typed-code translate="no">([A-Z0-9-]+)<', response.get_data(as_text=True)).group(1)
    assert len(code.replace("-", "")) == 16
    with app.app_context():
        coupon = db.session.scalars(db.select(Coupon).order_by(Coupon.id.desc())).first()
        assert coupon.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
        coupon_id = coupon.id
    again = staff.get(f"/console/coupons/{coupon_id}", headers=EN)
    assert code not in again.get_data(as_text=True) and "Has a typed code" in page(again)
    assert post_form(staff, f"/console/coupons/{coupon_id}/code/drop").status_code == 303
    with app.app_context():
        assert db.session.get(Coupon, coupon_id).code_hash is None


def test_edit_keeps_the_form_and_total_limit_never_below_given(app, shop, staff):
    with app.app_context(), transaction():
        coupon_id = add_coupon(shop.store_id, now=utcnow(), total=50)
        db.session.get(Coupon, coupon_id).issued_count = 10
    form = staff.get(f"/console/coupons/{coupon_id}", headers=EN)
    assert input_value(form, "amount_off") == "2.00" and input_value(form, "total_limit") == "50"
    response = post_form(staff, f"/console/coupons/{coupon_id}", coupon_form(total_limit="5"), headers=EN)
    assert response.status_code == 400
    assert "The total limit cannot be below the 10 copies already given." in page(response)
    assert post_form(staff, f"/console/coupons/{coupon_id}/paused", {"paused": "1"}).status_code == 303
    with app.app_context():
        assert db.session.get(Coupon, coupon_id).paused
    assert "Paused" in page(staff.get("/console/coupons", headers=EN))


def test_campaign_pages_from_new_to_results(app, shop, staff):
    with app.app_context():
        coupon_id = add_coupon(shop.store_id, now=utcnow())
    assert post_form(staff, "/console/segments/recompute").status_code == 303
    segments_page = page(staff.get("/console/segments", headers=EN))
    assert "Active residents" in segments_page and 'data-size>12<' in segments_page.replace(" ", "")
    new_page = page(staff.get("/console/campaigns/new", headers=EN))
    assert "Active residents · 12 residents" in new_page
    bad = post_form(staff, "/console/campaigns/new", {
        "name": "Back to milk", "segment": "active", "coupon_id": str(coupon_id), "budget": "-3",
        "holdout_percent": "60", "starts_at": "2026-01-01T08:00", "ends_at": "2030-01-01T08:00"}, headers=EN)
    assert bad.status_code == 400 and input_value(bad, "name") == "Back to milk"
    assert "Enter a whole number from 0 to 50." in page(bad)
    far = post_form(staff, "/console/campaigns/new", {
        "name": "Back to milk", "segment": "active", "coupon_id": str(coupon_id), "budget": "",
        "holdout_percent": "5", "starts_at": "2026-01-01T08:00", "ends_at": "9999-12-31T23:59"}, headers=EN)
    assert far.status_code == 400 and "Choose a date between the years 2000 and 2100." in page(far)
    response = post_form(staff, "/console/campaigns/new", {
        "name": "Back to milk", "segment": "active", "coupon_id": str(coupon_id), "budget": "4",
        "holdout_percent": "10", "starts_at": "2026-01-01T08:00", "ends_at": "2030-01-01T08:00"}, headers=EN)
    assert response.status_code == 303
    path = response.headers["Location"]
    launch = path + "/launch"
    assert post_form(staff, launch, headers=EN).status_code == 409            # no dry run yet
    assert post_form(staff, path + "/dry-run").status_code == 303
    detail = page(staff.get(path, headers=EN))
    assert "No product below cost" in detail and "data-affected>" in detail
    assert post_form(staff, launch).status_code == 303
    with app.app_context():
        campaign = db.session.scalars(db.select(Campaign)).one()
        assert campaign.status == "running"
        assert db.session.scalar(db.select(db.func.count()).select_from(CampaignMember)) == 12
        with transaction():
            db.session.get(Campaign, campaign.id).status = "paused"
            db.session.get(Campaign, campaign.id).paused_reason = "budget"
            db.session.get(Campaign, campaign.id).spent_cents = 400
    paused = page(staff.get(path, headers=EN))
    assert "Paused by itself: the budget is spent." in paused
    huge = post_form(staff, path + "/resume", {"budget": "9999999999"}, headers=EN)
    assert huge.status_code == 400 and "Enter an amount up to ¥1,000,000." in page(huge)
    refused = post_form(staff, path + "/resume", {"budget": "3"}, headers=EN)
    assert refused.status_code == 409 and "raise it above what was spent" in page(refused)
    assert input_value(refused, "budget") == "3"
    assert post_form(staff, path + "/resume", {"budget": "10"}).status_code == 303
    with app.app_context():
        campaign = db.session.scalars(db.select(Campaign)).one()
        assert (campaign.status, campaign.budget_cents) == ("running", 1000)
    assert post_form(staff, path + "/pause").status_code == 303
    assert post_form(staff, path + "/pause").status_code == 409                # already paused
    assert "Results against the holdout" in page(staff.get(path, headers=EN))
    assert "Back to milk" in page(staff.get("/console/campaigns", headers=EN))


def test_below_cost_dry_run_is_refused_on_the_page(app, shop, staff):
    with app.app_context():
        set_costs(shop, water=290)
        coupon_id = add_coupon(shop.store_id, now=utcnow())
        campaign_id = add_campaign(shop.store_id, coupon_id, now=utcnow())
    response = post_form(staff, f"/console/campaigns/{campaign_id}/dry-run", headers=EN)
    assert response.status_code == 409
    assert "below cost" in page(response)
    assert post_form(staff, f"/console/campaigns/{campaign_id}/launch", headers=EN).status_code == 409


def test_product_cost_on_the_product_form(app, shop, staff):
    path = f"/console/products/{shop.products['milk']}"
    assert input_value(staff.get(path, headers=EN), "cost") == "9.00"
    bad = post_form(staff, path, {"name_zh": "鲜牛奶", "name_en": "Fresh milk", "category_id": str(shop.category_id),
                                  "merchant_id": "", "price": "12.50", "cost": "lots", "unit_label": "",
                                  "barcode": "", "picture": "", "is_active": "y"}, headers=EN)
    assert bad.status_code == 400 and "Enter the cost in yuan" in page(bad)
    good = post_form(staff, path, {"name_zh": "鲜牛奶", "name_en": "Fresh milk", "category_id": str(shop.category_id),
                                   "merchant_id": "", "price": "12.50", "cost": "8.20", "unit_label": "",
                                   "barcode": "", "picture": "", "is_active": "y"}, headers=EN)
    assert good.status_code == 303
    from store_app.catalogue.models import Product
    with app.app_context():
        assert db.session.get(Product, shop.products["milk"]).cost_cents == 820
