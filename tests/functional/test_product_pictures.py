"""Pictures on the shop: a staff photo in several widths (``srcset``, sizes, width and height, lazy
below the fold), else the product's stock picture, else its category's, else the basket; never a
letter tile. Staff choose stock pictures in the console; the credits page names OpenMoji's licence."""
import io
import os
import re

import pytest

from store_app.catalogue.models import Category, Product
from store_app.extensions import db
from store_app.roles import Role

from ..photo_files import decoded, photo_bytes
from .catalogue_helpers import catalogue, shop  # noqa: F401  (fixtures)
from .conftest import post_form, selected_option

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIG_JPEG = photo_bytes("JPEG", (1000, 800))


@pytest.fixture
def staff(shop, login_client):
    return login_client(shop["users"][Role.STAFF][1])


@pytest.fixture
def resident(shop, login_client):
    return login_client(shop["users"][Role.RESIDENT][1])


def card(html, product_id):
    found = re.search(r'<li class="feed-card[^"]*" id="p%d".*?</li>' % product_id, html, re.S)
    assert found, f"no card for product {product_id}"
    return found.group(0)


def images_of(fragment):
    return re.findall(r"<img [^>]*>", fragment)


def attr(tag, name):
    found = re.search(r'\s%s="([^"]*)"' % name, tag)
    return found.group(1) if found else None


def set_pictures(app, *, product=None, product_picture=None, category=None, category_picture=None):
    with app.app_context():
        if product is not None:
            db.session.get(Product, product).picture = product_picture
        if category is not None:
            db.session.get(Category, category).picture = category_picture
        db.session.commit()


def static_file(src):
    """The file behind a /static/ address (it must exist: nothing is fetched from elsewhere)."""
    assert src.startswith("/static/"), src
    return os.path.join(ROOT, "static", src[len("/static/"):].split("?")[0])


def upload(staff, shop, product_id, data):
    form = {"name_zh": "纯牛奶", "name_en": "Whole Milk", "category_id": str(shop["categories"]["dairy"]),
            "merchant_id": "", "price": "12.50", "barcode": "6901234567892", "unit_label": "1 L",
            "is_active": "y", "picture": "", "image": (io.BytesIO(data), "milk.jpg")}
    return post_form(staff, f"/console/products/{product_id}", form, content_type="multipart/form-data")


# ---- stock pictures ---------------------------------------------------------------------------

def test_a_product_without_photo_shows_its_own_then_its_categorys_picture_then_the_basket(app, shop, resident):
    milk, dairy = shop["products"]["milk"], shop["categories"]["dairy"]
    set_pictures(app, product=milk, product_picture="milk", category=dairy, category_picture="cheese")
    yoghurt = shop["products"]["yoghurt"]
    html = resident.get("/shop").get_data(as_text=True)
    assert "ph-glyph" not in html
    [milk_img] = images_of(card(html, milk))
    [yoghurt_img] = images_of(card(html, yoghurt))
    [toast_img] = images_of(card(html, shop["products"]["toast"]))
    assert attr(milk_img, "src") == "/static/pictures/openmoji/1F95B.svg"      # its own: a glass of milk
    assert attr(yoghurt_img, "src") == "/static/pictures/openmoji/1F9C0.svg"   # the category's: cheese
    assert attr(toast_img, "src") == "/static/pictures/openmoji/1F9FA.svg"     # nothing chosen: the basket
    for tag in (milk_img, yoghurt_img, toast_img):
        assert os.path.isfile(static_file(attr(tag, "src")))
        assert attr(tag, "width") and attr(tag, "height") and attr(tag, "alt") == ""
        assert attr(tag, "srcset") is None


def test_an_unknown_picture_key_falls_back_to_the_category(app, shop, resident):
    milk, dairy = shop["products"]["milk"], shop["categories"]["dairy"]
    set_pictures(app, product=milk, product_picture="no-such-picture", category=dairy, category_picture="egg")
    [img] = images_of(card(resident.get("/shop").get_data(as_text=True), milk))
    assert attr(img, "src") == "/static/pictures/openmoji/1F95A.svg"


def test_the_product_page_shows_the_picture_too(app, shop, resident):
    milk = shop["products"]["milk"]
    set_pictures(app, product=milk, product_picture="milk")
    html = resident.get(f"/products/{milk}").get_data(as_text=True)
    [img] = images_of(html.split('class="product-media"', 1)[1].split("</div>", 1)[0])
    assert attr(img, "src") == "/static/pictures/openmoji/1F95B.svg" and attr(img, "loading") == "eager"
    assert 'href="/credits"' in html


# ---- staff photos in several widths -----------------------------------------------------------

def test_a_photo_is_kept_in_several_widths_and_served_with_srcset(app, shop, staff, resident, client):
    milk = shop["products"]["milk"]
    assert upload(staff, shop, milk, BIG_JPEG).status_code == 303
    with app.app_context():
        product = db.session.get(Product, milk)
        name, size, widths = product.image_filename, (product.image_width, product.image_height), \
            product.image_widths
    assert size == (1000, 800) and widths == "160,320,640"
    base = name.rsplit(".", 1)[0]
    folder = os.path.join(app.instance_path, "uploads", "products")
    assert sorted(os.listdir(folder)) == sorted([name] + [f"{base}-{w}w.webp" for w in (160, 320, 640)])
    for width in (160, 320, 640):
        served = client.get(f"/media/products/{base}-{width}w.webp")
        kind, pixels = decoded(served.get_data())[:2]
        served.close()
        assert served.status_code == 200 and kind == "WEBP" and pixels == (width, width * 800 // 1000)

    [img] = images_of(card(resident.get("/shop").get_data(as_text=True), milk))
    assert attr(img, "srcset") == ", ".join([f"/media/products/{base}-{w}w.webp {w}w" for w in (160, 320, 640)]
                                            + [f"/media/products/{name} 1000w"])
    assert attr(img, "src") == f"/media/products/{base}-320w.webp"
    assert "48vw" in attr(img, "sizes")
    assert (attr(img, "width"), attr(img, "height")) == ("1000", "800")

    page = resident.get(f"/products/{milk}").get_data(as_text=True)
    [big] = images_of(page.split('class="product-media"', 1)[1].split("</div>", 1)[0])
    assert attr(big, "srcset") == attr(img, "srcset") and "100vw" in attr(big, "sizes")
    assert attr(big, "alt") == "纯牛奶"


def test_replacing_a_photo_removes_the_old_one_with_all_its_widths(app, shop, staff):
    milk = shop["products"]["milk"]
    upload(staff, shop, milk, BIG_JPEG)
    upload(staff, shop, milk, photo_bytes("PNG", (400, 400)))
    with app.app_context():
        product = db.session.get(Product, milk)
        name, widths = product.image_filename, product.image_widths
    base = name.rsplit(".", 1)[0]
    folder = os.path.join(app.instance_path, "uploads", "products")
    # A 400 px photo gets the copies narrower than itself only.
    assert widths == "160,320"
    assert sorted(os.listdir(folder)) == sorted([name, f"{base}-160w.webp", f"{base}-320w.webp"])


def test_pictures_above_the_fold_load_at_once_and_the_rest_lazily(app, shop, catalogue, resident):
    for n in range(6):
        catalogue.product(shop["store_id"], shop["categories"]["dairy"], shop["merchants"]["own"], f"Extra {n}")
    html = resident.get("/shop").get_data(as_text=True)
    loading = [attr(tag, "loading") for tag in re.findall(r'<div class="feed-media">.*?(<img [^>]*>)', html, re.S)]
    assert len(loading) >= 8
    assert loading[:4] == ["eager"] * 4 and set(loading[4:]) == {"lazy"}
    # The next page, fetched while scrolling, is all below the fold.
    more = resident.get("/shop?page=2&fragment=1").get_data(as_text=True)
    assert 'loading="eager"' not in more


# ---- choosing stock pictures in the console ---------------------------------------------------

def test_staff_choose_a_products_and_a_categorys_picture(app, shop, staff):
    milk, dairy = shop["products"]["milk"], shop["categories"]["dairy"]
    form = {"name_zh": "纯牛奶", "name_en": "Whole Milk", "category_id": str(dairy), "merchant_id": "",
            "price": "12.50", "barcode": "6901234567892", "unit_label": "1 L", "is_active": "y",
            "picture": "milk"}
    assert post_form(staff, f"/console/products/{milk}", form).status_code == 303
    edit_page = staff.get(f"/console/products/{milk}")
    assert selected_option(edit_page, "picture") == "milk"
    assert 'src="/static/pictures/openmoji/1F95B.svg"' in edit_page.get_data(as_text=True)  # its preview
    response = post_form(staff, f"/console/categories/{dairy}",
                         {"slug": "dairy", "name_zh": "乳品", "name_en": "Dairy", "position": "1",
                          "picture": "cheese"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Product, milk).picture == "milk"
        assert db.session.get(Category, dairy).picture == "cheese"


def test_a_picture_that_is_not_on_the_list_is_refused_and_nothing_changes(app, shop, staff):
    milk, dairy = shop["products"]["milk"], shop["categories"]["dairy"]
    form = {"name_zh": "纯牛奶", "name_en": "Changed Milk", "category_id": str(dairy), "merchant_id": "",
            "price": "12.50", "barcode": "6901234567892", "unit_label": "1 L", "is_active": "y",
            "picture": "../../etc/passwd"}
    response = post_form(staff, f"/console/products/{milk}", form, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert 'value="Changed Milk"' in response.get_data(as_text=True)
    with app.app_context():
        product = db.session.get(Product, milk)
        assert product.picture is None and product.name_en == "Whole Milk"


# ---- credits ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, words", [("zh", "图片与许可"), ("en", "Pictures and licences")])
def test_the_credits_page_names_openmoji_and_its_licence(client, lang, words):
    response = client.get("/credits", headers={"Accept-Language": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and words in html and "OpenMoji" in html and "CC BY-SA 4.0" in html
    assert 'href="/static/pictures/openmoji/LICENSE.txt"' in html
    assert os.path.isfile(os.path.join(ROOT, "static", "pictures", "openmoji", "LICENSE.txt"))
