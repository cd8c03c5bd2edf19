"""The staff's catalogue console through the test client: products, photos, stock, CSV import,
categories, merchants; who may open it; another store's ids answer 404."""
import io
import re

import pytest

from store_app.catalogue import errors, images
from store_app.catalogue.models import Category, Merchant, Product, StockMovement
from store_app.extensions import db
from store_app.roles import Role

from ..photo_files import decoded
from .catalogue_helpers import JPEG, PNG, WEBP, catalogue, shop  # noqa: F401  (fixtures)
from .conftest import input_value, post_form, selected_option

IMPORT = "/console/products/import"
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


@pytest.fixture
def staff(shop, login_client):
    _, phone = shop["users"][Role.STAFF]
    return login_client(phone)


def product_row(app, product_id):
    with app.app_context():
        p = db.session.get(Product, product_id)
        return None if p is None else {
            "name_zh": p.name_zh, "name_en": p.name_en, "price_cents": p.price_cents, "stock": p.stock,
            "barcode": p.barcode, "is_active": p.is_active, "image": p.image_filename,
            "merchant_id": p.merchant_id, "category_id": p.category_id, "unit": p.unit_label}


def movements(app, product_id):
    with app.app_context():
        rows = db.session.scalars(db.select(StockMovement).where(StockMovement.product_id == product_id)
                                  .order_by(StockMovement.id))
        return [(m.delta, m.reason, m.note, m.actor_id) for m in rows]


def product_form(shop, **overrides):
    data = {"name_zh": "鲜牛奶", "name_en": "Fresh Milk", "category_id": str(shop["categories"]["dairy"]),
            "merchant_id": "", "price": "12.50", "stock": "24", "barcode": "6920261000011",
            "unit_label": "950 ml", "is_active": "y"}
    return {**data, **overrides}


def page(response):
    return response.get_data(as_text=True)


# ---- who may open it -------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COURIER, Role.VENDOR])
def test_only_staff_and_owner_open_the_console(shop, login_client, role):
    client = login_client(shop["users"][role][1])
    for path in ("/console/products", "/console/products/new", "/console/products/import",
                 "/console/categories", "/console/merchants",
                 f"/console/products/{shop['products']['milk']}"):
        assert client.get(path).status_code == 403, path


def test_visitors_are_sent_to_login(shop, client):
    response = client.get("/console/products")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_owner_sees_the_products_tab(shop, login_client):
    client = login_client(shop["users"][Role.OWNER][1])
    response = client.get("/console/products")
    assert response.status_code == 200
    assert 'href="/console/products" aria-current="page"' in page(response)


def test_another_stores_product_answers_404(shop, staff, count):
    foreign = shop["other"]["product"]
    assert staff.get(f"/console/products/{foreign}").status_code == 404
    assert staff.get("/console/products/999999").status_code == 404
    damage = {"delta": "-1", "reason": "damage"}
    assert post_form(staff, f"/console/products/{foreign}/stock", damage).status_code == 404
    assert post_form(staff, f"/console/products/{foreign}/active", {"active": "0"}).status_code == 404
    assert post_form(staff, f"/console/products/{foreign}", product_form(shop)).status_code == 404
    assert staff.get(f"/console/categories/{shop['other']['category']}").status_code == 404
    assert count(StockMovement) == 0


def test_list_searches_both_names_and_filters_by_category(shop, staff):
    names = lambda response: re.findall(r"<strong[^>]*>([^<]+)</strong>", page(response))  # noqa: E731
    assert set(names(staff.get("/console/products"))) == {"纯牛奶", "原味酸奶", "全麦吐司", "羊奶", "月饼"}
    assert names(staff.get("/console/products?q=toast")) == ["全麦吐司"]
    assert names(staff.get("/console/products?q=酸奶")) == ["原味酸奶"]
    assert names(staff.get("/console/products?q=6901234567892")) == ["纯牛奶"]
    bakery = shop["categories"]["bakery"]
    assert set(names(staff.get(f"/console/products?category={bakery}"))) == {"全麦吐司", "月饼"}
    assert "外店牛奶" not in page(staff.get("/console/products?q=milk"))


# ---- create and edit -------------------------------------------------------------------------

def test_staff_adds_a_product_with_its_first_stock(app, shop, staff):
    response = post_form(staff, "/console/products/new", product_form(shop))
    assert response.status_code == 303
    product_id = int(response.headers["Location"].rsplit("/", 1)[1])
    row = product_row(app, product_id)
    assert row["price_cents"] == 1250 and row["stock"] == 24 and row["barcode"] == "6920261000011"
    assert row["merchant_id"] == shop["merchants"]["own"] and row["is_active"] and row["unit"] == "950 ml"
    staff_id = shop["users"][Role.STAFF][0]
    assert movements(app, product_id) == [(24, "restock", "", staff_id)]


def test_a_partner_product_keeps_its_merchant(app, shop, staff):
    response = post_form(staff, "/console/products/new",
                         product_form(shop, merchant_id=str(shop["merchants"]["partner"]), barcode=""))
    product_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert product_row(app, product_id)["merchant_id"] == shop["merchants"]["partner"]
    assert product_row(app, product_id)["barcode"] is None


@pytest.mark.parametrize("overrides, message", [
    ({"price": "12,5x"}, "Write the price in yuan, like 12.50."),
    ({"price": "0"}, "The price must be more than zero."),
    ({"price": "NaN"}, "Write the price in yuan, like 12.50."),
    ({"barcode": "6901234567892"}, "Another product already has this barcode."),
    ({"barcode": "6920261000016"}, "This barcode's last digit does not match"),
    ({"name_en": ""}, "This field is required."),
    ({"stock": "-3"}, "A whole number from 0 to 100000."),
])
def test_bad_input_changes_nothing_and_keeps_the_form(shop, staff, count, overrides, message):
    before = count(Product)
    response = post_form(staff, "/console/products/new", product_form(shop, **overrides),
                         headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert message in page(response)
    assert count(Product) == before and count(StockMovement) == 0
    data = product_form(shop, **overrides)
    assert input_value(response, "name_zh") == data["name_zh"]
    assert input_value(response, "price") == data["price"]
    assert selected_option(response, "category_id") == data["category_id"]


def test_a_category_of_another_store_is_refused(shop, staff, count):
    response = post_form(staff, "/console/products/new",
                         product_form(shop, category_id=str(shop["other"]["category"])))
    assert response.status_code == 400 and count(Product, Product.name_en == "Fresh Milk") == 0


def test_editing_changes_details_but_not_stock(app, shop, staff):
    milk = shop["products"]["milk"]
    form = staff.get(f"/console/products/{milk}")
    assert input_value(form, "price") == "12.50" and input_value(form, "name_en") == "Whole Milk"
    response = post_form(staff, f"/console/products/{milk}", product_form(
        shop, name_en="Whole Milk 1L", price="13", stock="999", barcode="6901234567892"))
    assert response.status_code == 303
    row = product_row(app, milk)
    assert row["name_en"] == "Whole Milk 1L" and row["price_cents"] == 1300 and row["stock"] == 24


def test_taking_a_product_off_sale_and_back(app, shop, staff):
    milk = shop["products"]["milk"]
    assert post_form(staff, f"/console/products/{milk}/active", {"active": "0"}).status_code == 303
    assert product_row(app, milk)["is_active"] is False
    post_form(staff, f"/console/products/{milk}/active", {"active": "1"})
    assert product_row(app, milk)["is_active"] is True


def test_forms_without_a_csrf_token_are_refused(app, shop, staff):
    milk = shop["products"]["milk"]
    restock = {"delta": "5", "reason": "restock"}
    assert staff.post(f"/console/products/{milk}/stock", data=restock).status_code == 400
    assert staff.post(f"/console/products/{milk}/active", data={"active": "0"}).status_code == 400
    assert product_row(app, milk)["stock"] == 24 and product_row(app, milk)["is_active"]


# ---- stock -----------------------------------------------------------------------------------

def test_stock_adjustment_is_recorded_with_reason_and_actor(app, shop, staff):
    milk = shop["products"]["milk"]
    response = post_form(staff, f"/console/products/{milk}/stock",
                         {"delta": "6", "reason": "restock", "note": "van"})
    assert response.status_code == 303
    post_form(staff, f"/console/products/{milk}/stock", {"delta": "-2", "reason": "damage"})
    assert product_row(app, milk)["stock"] == 28
    staff_id = shop["users"][Role.STAFF][0]
    assert movements(app, milk) == [(6, "restock", "van", staff_id), (-2, "damage", "", staff_id)]
    english = {"Accept-Language": "en"}
    assert "Restock (goods arrived)" in page(staff.get(f"/console/products/{milk}", headers=english))


def test_stock_cannot_go_below_zero(app, shop, staff):
    toast = shop["products"]["toast"]  # 5 in stock
    response = post_form(staff, f"/console/products/{toast}/stock",
                         {"delta": "-6", "reason": "count_correction", "note": "recount"},
                         headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "Only 5 in stock: you cannot take away 6. Nothing was changed." in page(response)
    assert input_value(response, "delta") == "-6" and input_value(response, "note") == "recount"
    assert input_value(response, "name_en") == "Wholemeal Toast"  # the product form is shown as saved
    assert product_row(app, toast)["stock"] == 5 and movements(app, toast) == []
    all_of_it = {"delta": "-5", "reason": "damage"}
    assert post_form(staff, f"/console/products/{toast}/stock", all_of_it).status_code == 303
    assert product_row(app, toast)["stock"] == 0


@pytest.mark.parametrize("data, message", [
    ({"delta": "-1", "reason": "restock"}, "A restock adds goods"),
    ({"delta": "3", "reason": "damage"}, "Damaged goods are taken away"),
    ({"delta": "0", "reason": "other"}, "Enter how many to add"),
    ({"delta": "lots", "reason": "other"}, "Not a valid integer value"),
    ({"delta": "1", "reason": "sale"}, "Not a valid choice"),
])
def test_stock_form_mistakes(app, shop, staff, data, message):
    milk = shop["products"]["milk"]
    response = post_form(staff, f"/console/products/{milk}/stock", data, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and message in page(response)
    assert product_row(app, milk)["stock"] == 24 and movements(app, milk) == []


# ---- photos ----------------------------------------------------------------------------------

def upload(staff, shop, product_id, data, filename):
    form = product_form(shop, barcode="6901234567892", image=(io.BytesIO(data), filename))
    return post_form(staff, f"/console/products/{product_id}", form, content_type="multipart/form-data",
                     headers={"Accept-Language": "en"})


@pytest.mark.parametrize("data", [PNG, JPEG, WEBP], ids=["png", "jpeg", "webp"])
def test_a_photo_is_stored_under_a_random_name_and_served(app, shop, staff, client, data):
    """Whatever it came as, a photo is kept re-encoded as WebP, under a random name, same pixels' size."""
    milk = shop["products"]["milk"]
    response = upload(staff, shop, milk, data, "../../../etc/passwd.png")
    assert response.status_code == 303
    name = product_row(app, milk)["image"]
    assert STORED_NAME.match(name) and name.endswith(".webp")
    stored = app.instance_path + "/uploads/products/" + name
    with open(stored, "rb") as fh:
        kept = fh.read()
    assert decoded(kept)[:2] == ("WEBP", decoded(data)[1]) and kept != data
    served = client.get(f"/media/products/{name}")
    body = served.get_data()
    served.close()  # a file response: close it, as a server would
    assert served.status_code == 200 and served.mimetype == "image/webp" and body == kept
    assert served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("data, filename, message", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.png", "Only JPEG, PNG or WebP photos can be used."),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.jpg", "Only JPEG, PNG or WebP photos can be used."),
    (b"MZ\x90\x00 not an image at all", "photo.webp", "Only JPEG, PNG or WebP photos can be used."),
    # (The limit is lowered for this test: the test client leaks a temporary file for bodies over 500 kB.)
    (PNG + b"\x00" * (256 * 1024), "big.png", "The photo is too large: at most 1 MB, please."),
])
def test_a_wrong_photo_is_refused_and_nothing_changes(app, shop, staff, data, filename, message):
    app.config["PRODUCT_IMAGE_MAX_BYTES"] = 256 * 1024
    milk = shop["products"]["milk"]
    response = upload(staff, shop, milk, data, filename)
    assert response.status_code == 400 and message in page(response)
    assert product_row(app, milk)["image"] is None and product_row(app, milk)["name_en"] == "Whole Milk"
    assert input_value(response, "name_en") == "Fresh Milk"  # what was typed comes back
    import os
    folder = os.path.join(app.instance_path, "uploads", "products")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_the_photo_limit_is_two_megabytes_by_default():
    data, kind = images.read_upload(io.BytesIO(PNG + b"\x00" * (images.DEFAULT_MAX_BYTES - len(PNG))))
    assert kind == "png" and len(data) == 2 * 1024 * 1024
    with pytest.raises(errors.ImageRefused) as caught:
        images.read_upload(io.BytesIO(PNG + b"\x00" * (images.DEFAULT_MAX_BYTES - len(PNG) + 1)))
    assert caught.value.args == ("too_large",)
    with pytest.raises(errors.ImageRefused) as caught:
        images.read_upload(io.BytesIO(b""))
    assert caught.value.args == ("empty",)


def test_replacing_or_removing_a_photo_deletes_the_old_file(app, shop, staff):
    import os
    milk = shop["products"]["milk"]
    upload(staff, shop, milk, PNG, "a.png")
    first = product_row(app, milk)["image"]
    upload(staff, shop, milk, JPEG, "b.jpg")
    second = product_row(app, milk)["image"]
    folder = os.path.join(app.instance_path, "uploads", "products")
    assert os.listdir(folder) == [second] and second != first
    post_form(staff, f"/console/products/{milk}",
              product_form(shop, barcode="6901234567892", remove_image="y"))
    assert product_row(app, milk)["image"] is None and os.listdir(folder) == []


@pytest.mark.parametrize("name", ["../secret_key", "abc.png", "0" * 32 + ".gif", "0" * 32 + ".png"])
def test_only_stored_photos_can_be_fetched(shop, client, name):
    assert client.get(f"/media/products/{name}").status_code == 404


# ---- CSV import ------------------------------------------------------------------------------

CSV = ("barcode,name_zh,name_en,category,price,stock,merchant\n"
       "6901234567892,纯牛奶,Whole Milk 1L,dairy,13.00,30,\n"      # 2: updates milk (price, stock 24 -> 30)
       "A-100,燕麦奶,Oat Milk,Dairy,oops,5,\n"                      # 3: bad price
       "A-101,法棍,Baguette,烘焙,8,12,Wheat Aroma\n"                # 4: new, partner's, category by name
       "A-102,薯片,Crisps,snacks,6.5,10,\n"                         # 5: unknown category
       "A-103,鸡蛋,Eggs,dairy,15.8,0,Nobody\n")                     # 6: unknown merchant


def test_csv_import_saves_good_lines_and_reports_bad_ones(app, shop, staff, count):
    response = post_form(staff, "/console/products/import", {"text": CSV}, token_from=IMPORT,
                         headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = page(response)
    assert "Imported: 1 new, 1 updated, 0 unchanged, 3 refused." in html
    assert "Line 3" in html and "Price “oops”: write it in yuan, like 12.50." in html
    assert "Line 5" in html and "Unknown category “snacks”. Use one of: bakery, dairy." in html
    assert "Line 6" in html and "Unknown merchant “Nobody”" in html
    assert "Line 2" not in html and "Line 4" not in html
    milk = product_row(app, shop["products"]["milk"])
    assert milk["price_cents"] == 1300 and milk["stock"] == 30 and milk["name_en"] == "Whole Milk 1L"
    staff_id = shop["users"][Role.STAFF][0]
    assert movements(app, shop["products"]["milk"]) == [(6, "count_correction", "CSV", staff_id)]
    with app.app_context():
        baguette = db.session.scalar(db.select(Product).where(Product.barcode == "A-101"))
        assert baguette.merchant_id == shop["merchants"]["partner"] and baguette.stock == 12
        assert baguette.category_id == shop["categories"]["bakery"] and baguette.price_cents == 800
    assert count(Product, Product.barcode.in_(["A-100", "A-102", "A-103"])) == 0
    assert "A-100,燕麦奶,Oat Milk,Dairy,oops,5," in html  # the lines come back to be fixed


def test_importing_the_same_file_twice_changes_nothing_more(app, shop, staff, count):
    post_form(staff, "/console/products/import", {"text": CSV}, token_from="/console/products/import")
    products, moves = count(Product), count(StockMovement)
    response = post_form(staff, "/console/products/import", {"text": CSV}, token_from=IMPORT,
                         headers={"Accept-Language": "en"})
    assert "Imported: 0 new, 0 updated, 2 unchanged, 3 refused." in page(response)
    assert count(Product) == products and count(StockMovement) == moves


def test_csv_file_upload_in_gb18030_with_the_store_as_merchant(app, shop, staff):
    data = "barcode,name_zh,name_en,category,price,stock\nB-1,豆浆,Soy Milk,dairy,4,20\n".encode("gb18030")
    response = post_form(staff, "/console/products/import", {"file": (io.BytesIO(data), "货品.csv")},
                         token_from="/console/products/import", content_type="multipart/form-data",
                         headers={"Accept-Language": "en"})
    assert "Imported: 1 new, 0 updated, 0 unchanged, 0 refused." in page(response)
    with app.app_context():
        soy = db.session.scalar(db.select(Product).where(Product.barcode == "B-1"))
        assert soy.name_zh == "豆浆" and soy.merchant_id == shop["merchants"]["own"]


@pytest.mark.parametrize("data, message", [
    ({"text": "barcode,name,price\nA,b,1\n"}, "Missing: name_zh, name_en, category, stock."),
    ({"text": ""}, "Choose a CSV file or paste its lines."),
    ({"file": (b"\xff\xfe\x00\x00\xc0\xc1\xff", "x.csv")}, "This file is not text in UTF-8 or GB18030."),
])
def test_an_unusable_csv_changes_nothing(shop, staff, count, data, message):
    data = {key: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
            for key, value in data.items()}
    before = (count(Product), count(StockMovement))
    response = post_form(staff, "/console/products/import", data, token_from="/console/products/import",
                         content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and message in page(response)
    assert (count(Product), count(StockMovement)) == before


def test_the_import_page_documents_the_columns(shop, staff):
    html = page(staff.get("/console/products/import", headers={"Accept-Language": "en"}))
    assert "barcode,name_zh,name_en,category,price,stock,merchant" in html
    assert "the header is line 1" in html


# ---- categories and merchants ----------------------------------------------------------------

def test_categories_are_added_and_renamed(app, shop, staff, count):
    data = {"slug": "snacks", "name_zh": "零食", "name_en": "Snacks", "position": "3"}
    assert post_form(staff, "/console/categories", data).status_code == 303
    response = post_form(staff, "/console/categories", data, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Another category already uses this short name." in page(response)
    assert input_value(response, "name_en") == "Snacks"
    dairy = shop["categories"]["dairy"]
    post_form(staff, f"/console/categories/{dairy}",
              {"slug": "dairy", "name_zh": "乳品蛋品", "name_en": "Dairy & eggs"})
    with app.app_context():
        assert db.session.get(Category, dairy).name_en == "Dairy & eggs"
    assert count(Category, Category.store_id == shop["store_id"]) == 3


def test_a_partner_merchant_with_hours_and_preparation_time(app, shop, staff):
    data = {"name": "Fresh Orchard", "kind": "fruit", "lat": "31.1781", "lon": "121.4286", "phone": "021-1",
            "hours": "08:00-21:30", "prep_minutes": "8"}
    assert post_form(staff, "/console/merchants/new", data).status_code == 303
    with app.app_context():
        m = db.session.scalar(db.select(Merchant).where(Merchant.name == "Fresh Orchard"))
        assert (m.kind, m.opens_min, m.closes_min, m.prep_minutes) == ("fruit", 480, 1290, 8)
    assert "08:00-21:30" in page(staff.get("/console/merchants"))


@pytest.mark.parametrize("overrides, message", [
    ({"hours": "8-9"}, "Write the hours like 07:00-21:00."),
    ({"lat": "121.4", "lon": "31.2"}, "are latitude and longitude swapped?"),
    ({"lat": "nan"}, "Latitude and longitude must be real numbers."),
    ({"name": "Wheat Aroma"}, "Another merchant already has this name."),
])
def test_merchant_mistakes_keep_the_form(shop, staff, count, overrides, message):
    data = {"name": "Fresh Orchard", "kind": "fruit", "lat": "31.1781", "lon": "121.4286",
            "hours": "08:00-21:30", "prep_minutes": "8", **overrides}
    before = count(Merchant)
    response = post_form(staff, "/console/merchants/new", data, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and message in page(response)
    assert input_value(response, "hours") == data["hours"] and count(Merchant) == before
