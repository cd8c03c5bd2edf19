"""Both languages for real: stored keys translated when shown, names per language with fallback,
console forms with both names, and the split of older one-field names."""
import html

import pytest
from flask_babel import force_locale

from store_app.accounts.models import User
from store_app.catalogue import units
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.geo.models import Building, DeliveryZone
from store_app.roles import Role
from store_app.wallet import operations as wallet
from store_app.web.i18n import localized
from store_app.web.names import split_names

from .conftest import input_value, post_form

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


@pytest.mark.parametrize("text, expected", [
    ("近区 Inner", ("近区", "Inner")),
    ("张伟 Zhang Wei", ("张伟", "Zhang Wei")),
    ("邮政 EMS / China Post", ("邮政", "EMS / China Post")),
    ("莲花苑 1号楼", ("莲花苑 1号楼", "")),
    ("A栋", ("A栋", "")),
    ("Inside Tower", ("", "Inside Tower")),
    ("宜山路 455 号 (455 Yishan Rd, Xuhui)", ("宜山路 455 号", "455 Yishan Rd, Xuhui")),
])
def test_split_names_reads_older_one_field_names(text, expected):
    assert split_names(text) == expected


def test_localized_shows_the_pages_language_and_falls_back(app):
    both, zh_only, en_only = ({"name_zh": "近区", "name_en": "Inner"}, {"name_zh": "近区", "name_en": ""},
                              {"name_zh": "", "name_en": "Inner"})
    with app.test_request_context(headers=EN):
        assert [localized(n) for n in (both, zh_only, en_only)] == ["Inner", "近区", "Inner"]
    with app.test_request_context(headers=ZH):
        assert [localized(n) for n in (both, zh_only, en_only)] == ["近区", "近区", "Inner"]


@pytest.mark.parametrize("typed, stored, zh, en", [
    ("4 pieces", "4 piece", "4个", "4 pieces"),
    ("1 loaf", "1 loaf", "1条", "1 loaf"),
    ("6个", "6 piece", "6个", "6 pieces"),
    ("550 ml", "550 ml", "550 ml", "550 ml"),
    ("about 2.5 kg", "~2.5 kg", "约2.5 kg", "about 2.5 kg"),
])
def test_sizes_are_keys_shown_in_each_language(app, typed, stored, zh, en):
    assert units.parse_unit(typed) == stored
    with app.test_request_context():
        with force_locale("zh"):
            assert units.format_unit(stored) == zh
        with force_locale("en"):
            assert units.format_unit(stored) == en


@pytest.mark.parametrize("typed", ["a few", "4.5 pieces", "3 handfuls"])
def test_an_unknown_size_is_refused(typed):
    with pytest.raises(units.UnknownUnit):
        units.parse_unit(typed)


def test_ledger_notes_read_in_the_residents_language(app, create_shop, create_shopper, login_client):
    shop = create_shop()
    shopper = create_shopper(shop, balance_cents=1_000)
    with app.app_context(), transaction():
        wallet.credit(shopper.user_id, shop.store_id, 800, "refund", now=utcnow(), note_key="unavailable",
                      note_params={"name_zh": "法棍", "name_en": "Baguette"})
        wallet.credit(shopper.user_id, shop.store_id, 300, "refund", now=utcnow(), note_key="order_cancelled")
    client = login_client(shopper.phone)
    client.set_cookie("lang", "zh")
    chinese = html.unescape(client.get("/wallet").get_data(as_text=True))
    assert "缺货：法棍" in chinese and "订单取消" in chinese
    assert "Baguette" not in chinese and "cancelled" not in chinese
    client.set_cookie("lang", "en")
    english = html.unescape(client.get("/wallet").get_data(as_text=True))
    assert "Unavailable: Baguette" in english and "Order cancelled" in english and "法棍" not in english


def _zone_form(**names):
    square = ('{"type": "Polygon", "coordinates": [[[121.39, 31.19], [121.41, 31.19], [121.41, 31.21], '
              '[121.39, 31.21], [121.39, 31.19]]]}')
    return {"fee": "3", "minimum": "20", "priority": "0", "enabled": "y", "hours": "", "geojson": square, **names}


def test_a_zone_has_a_name_per_language_shown_in_the_pages_language(app, create_shop, create_user, login_client):
    shop = create_shop()
    _, staff_phone = create_user(shop.store_id, Role.STAFF)
    staff = login_client(staff_phone)
    response = post_form(staff, "/console/zones/new", _zone_form(name_zh="北区", name_en="North zone"))
    assert response.status_code == 302
    with app.app_context():
        zone = db.session.scalar(db.select(DeliveryZone).where(DeliveryZone.name_zh == "北区"))
        assert zone.name_en == "North zone"
        zone_id = zone.id
    staff.set_cookie("lang", "en")
    english = staff.get("/console/zones").get_data(as_text=True)
    assert "North zone" in english and "北区" not in english
    staff.set_cookie("lang", "zh")
    chinese = staff.get("/console/zones").get_data(as_text=True)
    assert "北区" in chinese and "North zone" not in chinese
    form = staff.get(f"/console/zones/{zone_id}")
    assert (input_value(form, "name_zh"), input_value(form, "name_en")) == ("北区", "North zone")


def test_a_name_in_one_language_is_enough_and_none_is_refused(app, create_shop, create_user, login_client):
    shop = create_shop()
    _, staff_phone = create_user(shop.store_id, Role.STAFF)
    staff = login_client(staff_phone)
    staff.set_cookie("lang", "zh")
    refused = post_form(staff, "/console/buildings/new", {"name_zh": "", "name_en": "", "aliases": "",
                                                          "lat": "31.2", "lon": "121.4", "entrance_note": "北门"})
    assert refused.status_code == 400
    assert "请填写中文名或英文名" in html.unescape(refused.get_data(as_text=True))
    assert input_value(refused, "entrance_note") == "北门"
    saved = post_form(staff, "/console/buildings/new", {"name_zh": "", "name_en": "Maple House", "aliases": "",
                                                        "lat": "31.2", "lon": "121.4", "entrance_note": ""})
    assert saved.status_code == 302
    chinese = staff.get("/console/buildings").get_data(as_text=True)
    assert "Maple House" in chinese, "a Chinese page falls back to the English name"
    with app.app_context():
        building = db.session.scalar(db.select(Building).where(Building.name_en == "Maple House"))
        assert building.name_zh == ""
    found = staff.get("/console/buildings", query_string={"q": "maple"}).get_data(as_text=True)
    assert "Maple House" in found


def test_staff_and_couriers_get_a_name_for_english_pages(app, create_shop, create_user, login_client):
    shop = create_shop()
    _, owner_phone = create_user(shop.store_id, Role.OWNER)
    owner = login_client(owner_phone)
    owner.set_cookie("lang", "zh")
    response = post_form(owner, "/console/team", {"role": "courier", "phone": "139 5555 0001", "name": "张伟",
                                                  "name_en": "Zhang Wei", "password": "courier-pass-123"})
    assert response.status_code == 302
    chinese = owner.get("/console/team").get_data(as_text=True)
    assert "张伟" in chinese and "Zhang Wei" not in chinese
    owner.set_cookie("lang", "en")
    english = owner.get("/console/team").get_data(as_text=True)
    assert "Zhang Wei" in english and "张伟" not in english


def test_a_category_named_in_one_language_shows_it_in_both(app, create_shop, create_user, login_client):
    shop = create_shop()
    _, staff_phone = create_user(shop.store_id, Role.STAFF)
    staff = login_client(staff_phone)
    refused = post_form(staff, "/console/categories", {"slug": "tea", "name_zh": "", "name_en": "", "position": "1"},
                        headers=EN)
    assert refused.status_code == 400
    assert "Give a name in Chinese, in English, or both." in html.unescape(refused.get_data(as_text=True))
    assert input_value(refused, "slug") == "tea"
    assert post_form(staff, "/console/categories", {"slug": "tea", "name_zh": "茶叶", "name_en": "",
                                                    "position": "1"}).status_code == 303
    staff.set_cookie("lang", "en")
    english = staff.get("/console/products/new").get_data(as_text=True)
    assert ">茶叶</option>" in english, "an English page falls back to the Chinese name"


def test_staff_give_a_team_member_a_name_for_english_pages(app, create_shop, create_user, login_client):
    shop = create_shop()
    _, staff_phone = create_user(shop.store_id, Role.STAFF)
    courier_id, _ = create_user(shop.store_id, Role.COURIER, name="刘洋 Liu Yang")
    staff = login_client(staff_phone)
    staff.set_cookie("lang", "en")
    refused = post_form(staff, f"/console/team/{courier_id}", {"name": "", "name_en": "Liu Yang"})
    assert refused.status_code == 400 and input_value(refused, "name_en") == "Liu Yang"
    assert post_form(staff, f"/console/team/{courier_id}", {"name": "刘洋", "name_en": "Liu Yang"}).status_code == 302
    english = staff.get("/console/team").get_data(as_text=True)
    assert "Liu Yang" in english and "刘洋" not in english
    with app.app_context():
        assert (db.session.get(User, courier_id).name, db.session.get(User, courier_id).name_en) == ("刘洋", "Liu Yang")
    other_shop = create_shop()
    stranger_id, _ = create_user(other_shop.store_id, Role.COURIER)
    assert staff.get(f"/console/team/{stranger_id}").status_code == 404
