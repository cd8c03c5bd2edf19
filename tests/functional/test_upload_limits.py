"""Each account may send a limited number of files per window, across every upload route together;
past it, a 429 with a clear message in the user's language, before the file is looked at. Forms sent
without a file do not count, and one account's uploads never hold back another's."""
import io
import json

import pytest

from store_app.roles import Role
from tests.conftest import square_zone
from tests.photo_files import instance_files, photo_bytes

from .catalogue_helpers import catalogue, shop  # noqa: F401  (fixtures)
from .conftest import post_form, text_of

PHOTO = photo_bytes("JPEG", (20, 20), gps=True)
CSV = "barcode,name_zh,name_en,category,price,stock,merchant\nA-1,燕麦奶,Oat Milk,dairy,9.50,3,\n"


@pytest.fixture
def limited(app):
    app.config["UPLOAD_LIMIT_PER_ACCOUNT"] = "2 per hour"
    return app


def product_photo(client, shop, language="en", photo=PHOTO):  # noqa: F811
    form = {"name_zh": "纯牛奶", "name_en": "Whole Milk", "category_id": str(shop["categories"]["dairy"]),
            "merchant_id": "", "price": "12.50", "stock": "24", "barcode": "6901234567892", "unit_label": "1 L",
            "is_active": "y"}
    if photo is not None:
        form["image"] = (io.BytesIO(photo), "milk.jpg")
    return post_form(client, f"/console/products/{shop['products']['milk']}", form,
                     content_type="multipart/form-data", headers={"Accept-Language": language})


def csv_file(client, language="en"):
    return post_form(client, "/console/products/import", {"file": (io.BytesIO(CSV.encode()), "p.csv")},
                     token_from="/console/products/import", content_type="multipart/form-data",
                     headers={"Accept-Language": language})


def zone_file(client, shop, language="en"):  # noqa: F811
    geojson = json.dumps(square_zone(31.2, 121.4, 0.01)).encode()
    form = {"name_en": "Zone B", "fee": "5", "minimum": "0", "priority": "0", "enabled": "y", "hours": "",
            "geojson": "", "geojson_file": (io.BytesIO(geojson), "zone.geojson")}
    return post_form(client, "/console/zones/new", form, token_from="/console/zones",
                     content_type="multipart/form-data", headers={"Accept-Language": language})


def test_files_count_across_upload_routes_and_the_next_one_is_429(limited, shop, login_client):  # noqa: F811
    staff = login_client(shop["users"][Role.STAFF][1])
    assert product_photo(staff, shop).status_code == 303
    assert product_photo(staff, shop, photo=None).status_code == 303  # no file: not counted
    assert csv_file(staff).status_code == 200
    before = instance_files(limited)
    refused = zone_file(staff, shop)
    assert refused.status_code == 429
    assert "You have sent too many files: at most 2 every 60 minutes per account." in text_of(refused)
    chinese = product_photo(staff, shop, language="zh")
    assert chinese.status_code == 429 and "每个账户每 60 分钟最多 2 个" in text_of(chinese)
    assert instance_files(limited) == before
    assert product_photo(staff, shop, photo=None).status_code == 303  # editing without a photo goes on


def test_one_accounts_uploads_do_not_hold_back_another(limited, shop, login_client, create_user):  # noqa: F811
    first = login_client(shop["users"][Role.STAFF][1])
    for _ in range(2):
        assert product_photo(first, shop).status_code == 303
    assert product_photo(first, shop).status_code == 429
    _, phone = create_user(shop["store_id"], Role.STAFF, name="Second Staff")
    second = login_client(phone)
    assert product_photo(second, shop).status_code == 303
