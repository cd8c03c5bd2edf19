"""Reviews in the browser: a resident rates a delivered order and one of its products on a 390x844
phone, in Chinese and in English (the form comes back filled in when the stars are missing), and the
product's page shows the review; staff hide a review with a reason on the 1024x768 counter tablet.

The module's live server (the demo community) is its own; each test gives its demo resident a
delivered order of its own, so the tests never meet."""
import re
import secrets
from datetime import timedelta

from store_app.accounts.models import User
from store_app.catalogue.models import Merchant, Product
from store_app.database import utcnow
from store_app.extensions import db
from store_app.orders.models import Order, OrderItem
from store_app.orders.review_models import ProductReview
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
RESIDENTS = {"zh": "+8613900139012", "en": "+8613900139013", "staff": "+8613900139014"}
ENGLISH_WORDS = re.compile(r"\b(Rate this order|Review|Verified purchase|Your rating|Publish)\b")


def delivered_order(live_server, phone):
    """A delivered order of two of the store's own products for the demo resident (delivered an hour
    ago; how it got there is the fulfilment tests' business): ``(order id, [(product id, zh, en)])``."""
    with live_server.transaction() as session:
        user = session.scalar(db.select(User).where(User.phone == phone))
        products = session.scalars(db.select(Product).join(Merchant, Product.merchant_id == Merchant.id).where(
            Product.store_id == user.store_id, Merchant.kind == "store", Product.is_active.is_(True))
            .order_by(Product.id.desc()).limit(2)).all()
        at = utcnow() - timedelta(hours=1)
        building = user.default_address().building
        order = Order(store_id=user.store_id, user_id=user.id, status="delivered",
                      idempotency_key=f"review-{secrets.token_hex(6)}", building_id=building.id,
                      address_text=user.default_address().one_line(), lat=building.lat, lon=building.lon,
                      zone_name="Neighbourhood", subtotal_cents=sum(p.price_cents for p in products),
                      total_cents=sum(p.price_cents for p in products), payment_method="cash", delivery_code="4321",
                      eta_minutes=20, promised_at=at, placed_at=at - timedelta(minutes=20), delivered_at=at)
        order.items = [OrderItem(product_id=p.id, merchant_id=p.merchant_id, name_zh=p.name_zh, name_en=p.name_en,
                                 unit_price_cents=p.price_cents, quantity=1) for p in products]
        session.add(order)
        session.flush()
        return order.id, [(p.id, p.name_zh, p.name_en) for p in products]


def test_a_resident_reviews_a_delivered_order_on_a_phone_in_chinese(phone, live_server, ui):
    order_id, products = delivered_order(live_server, RESIDENTS["zh"])
    (product_id, name_zh, _name_en) = products[0]
    log_in(phone, RESIDENTS["zh"])
    phone.goto(f"/orders/{order_id}")
    section = phone.locator("#reviews")
    expect(section.get_by_role("heading", name="您的评价")).to_be_visible()
    rate = section.get_by_role("link", name="评价本订单")
    ui.tall_enough(rate)
    ui.tall_enough(section.get_by_role("link", name=f"评价 {name_zh}"))
    ui.no_horizontal_scroll(phone)
    section.scroll_into_view_if_needed()
    ui.screenshot(phone, "reviews-order-page-zh")

    rate.click()
    expect(phone.get_by_role("heading", name="评价本订单")).to_be_visible()
    phone.get_by_label("您的评价（选填）").fill("送得很快，牛奶还是冰的。")
    phone.get_by_role("radio", name="5 星：非常好").nth(1).check()  # the delivery's speed, not the order
    phone.get_by_role("button", name="发布评价").click()
    # Refused without the order's stars: the page says so, and keeps what was typed and chosen.
    expect(phone.get_by_text("请选择 1 到 5 星。")).to_be_visible()
    expect(phone.get_by_label("您的评价（选填）")).to_have_value("送得很快，牛奶还是冰的。")
    expect(phone.get_by_role("radio", name="5 星：非常好").nth(1)).to_be_checked()
    ui.no_horizontal_scroll(phone)
    ui.tall_enough(phone.locator(".star-option"))
    ui.screenshot(phone, "reviews-order-form-error-zh")
    assert not ENGLISH_WORDS.search(phone.locator("main").inner_text())

    phone.get_by_role("radio", name="4 星：好").first.check()
    phone.get_by_role("button", name="发布评价").click()
    expect(phone).to_have_url(re.compile(rf"/orders/{order_id}#reviews$"))
    expect(phone.get_by_text("感谢您的评价。")).to_be_visible()
    expect(section).to_contain_text("您对本订单的评分")

    section.get_by_role("link", name=f"评价 {name_zh}").click()
    phone.get_by_role("radio", name="5 星：非常好").check()
    phone.get_by_label("您的评价（选填）").fill("<script>alert(1)</script>很新鲜")
    phone.get_by_role("button", name="发布评价").click()
    expect(section.locator(f'[data-review-product="{product_id}"]')).to_contain_text("★★★★★")
    expect(section.get_by_role("link", name=f"评价 {name_zh}")).to_have_count(0)
    ui.screenshot(phone, "reviews-order-page-done-zh")

    phone.goto(f"/products/{product_id}")
    reviews = phone.locator("#reviews")
    expect(reviews).to_contain_text("很新鲜")
    expect(reviews).to_contain_text("已验证购买")
    expect(reviews).not_to_contain_text("script")
    ui.no_horizontal_scroll(phone)
    reviews.scroll_into_view_if_needed()
    ui.screenshot(phone, "reviews-product-page-zh")
    assert not ENGLISH_WORDS.search(phone.locator("main").inner_text())


def test_a_resident_reviews_a_delivered_order_in_english(new_page, live_server, ui):
    from tests.browser.conftest import PHONE

    page = new_page(**{**PHONE, "locale": "en-US"})
    order_id, products = delivered_order(live_server, RESIDENTS["en"])
    log_in(page, RESIDENTS["en"])
    page.goto(f"/orders/{order_id}")
    page.get_by_role("link", name="Rate this order").click()
    stars = page.get_by_role("group", name="Your rating")
    speed = page.get_by_role("group", name="How fast was the delivery? (optional)")
    speed.get_by_role("radio", name="5 stars: excellent").check()
    page.get_by_label("Your review (optional)").fill("Quick and friendly.")
    page.get_by_role("button", name="Publish the review").click()
    expect(stars.get_by_text("Choose 1 to 5 stars.")).to_be_visible()
    expect(speed.get_by_role("radio", name="5 stars: excellent")).to_be_checked()
    expect(page.get_by_label("Your review (optional)")).to_have_value("Quick and friendly.")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "reviews-order-form-en")
    stars.get_by_role("radio", name="3 stars: fair").check()
    page.get_by_role("button", name="Publish the review").click()
    expect(page.get_by_text("Thank you for your review.")).to_be_visible()
    expect(page.locator("#reviews")).to_contain_text("You rated this order")
    expect(page.locator("#reviews").get_by_role("link", name=f"Review {products[1][2]}")).to_be_visible()
    ui.no_horizontal_scroll(page)
    page.locator("#reviews").scroll_into_view_if_needed()
    ui.screenshot(page, "reviews-order-page-en")


def test_staff_hide_a_review_with_a_reason_on_the_tablet(tablet, live_server, ui):
    order_id, products = delivered_order(live_server, RESIDENTS["staff"])
    product_id = products[0][0]
    with live_server.transaction() as session:
        from store_app.orders import reviews

        user = session.scalar(db.select(User).where(User.phone == RESIDENTS["staff"]))
        review_id = reviews.review_product(user, order_id, product_id, 1, "快递员 13800000000 态度差", utcnow()).id
    log_in(tablet, STAFF_PHONE)
    tablet.goto("/console/reviews?show=low")
    row = tablet.locator(f'[data-review="product{review_id}"]')
    expect(row).to_contain_text("快递员")
    ui.no_horizontal_scroll(tablet)
    ui.screenshot(tablet, "reviews-console-zh")
    row.get_by_text("隐藏这条评价").click()
    row.get_by_role("button", name="隐藏").click()
    expect(row.get_by_text("请填写理由（几句话即可）。")).to_be_visible()  # the reason is required
    row.get_by_label("隐藏原因（会被记录）").fill("含有电话号码")
    row.get_by_role("button", name="隐藏").click()
    expect(tablet.get_by_text("评价已隐藏。")).to_be_visible()
    expect(tablet.locator(f'[data-review="product{review_id}"]')).to_contain_text("已隐藏：含有电话号码")
    with live_server.transaction() as session:
        assert session.get(ProductReview, review_id).hidden_reason == "含有电话号码"
    ui.screenshot(tablet, "reviews-console-hidden-zh")


def test_the_feed_shows_the_average_of_well_reviewed_goods(phone, live_server, ui):
    from store_app.orders import review_queries

    with live_server.transaction() as session:
        rated = [pid for pid, summary in review_queries.rating_summaries(
            session.scalars(db.select(ProductReview.product_id).distinct()).all()).items() if summary.shown]
        names = {pid: session.get(Product, pid).name_zh for pid in rated}
    assert len(rated) >= 2  # the demo's reviews (store_app/demo/reviews.py)
    log_in(phone, RESIDENTS["zh"])
    phone.goto("/shop?q=" + names[rated[0]])
    card = phone.locator(f"#p{rated[0]}")
    expect(card.locator(".feed-rating")).to_be_visible()
    expect(card.locator(".feed-rating")).to_contain_text("★")
    expect(card.locator(".feed-rating .visually-hidden")).to_contain_text("评分")
    ui.no_horizontal_scroll(phone)
    ui.screenshot(phone, "reviews-feed-card-zh")
    card.get_by_role("link", name=names[rated[0]]).click()
    expect(phone.locator(".product-rating")).to_contain_text("★")
    ui.tall_enough(phone.locator(".product-rating a"))


def test_the_review_pages_have_no_wcag_violation(new_page, live_server):
    from tests.browser.axe import axe_violations, describe
    from tests.browser.conftest import PHONE, TABLET

    order_id, products = delivered_order(live_server, RESIDENTS["zh"])
    found = {}
    page = new_page(**PHONE, bypass_csp=True)
    log_in(page, RESIDENTS["zh"])
    for path in (f"/orders/{order_id}", f"/orders/{order_id}/review",
                 f"/orders/{order_id}/products/{products[0][0]}/review", f"/products/{products[0][0]}"):
        page.goto(path)
        found[path] = axe_violations(page)
    page.goto(f"/orders/{order_id}/review")
    page.get_by_role("button", name="发布评价").click()  # sent back with the missing stars pointed out
    expect(page.get_by_text("请选择 1 到 5 星。")).to_be_visible()
    found["review form with errors"] = axe_violations(page)
    console = new_page(**TABLET, bypass_csp=True)
    log_in(console, STAFF_PHONE)
    console.goto("/console/reviews")
    found["/console/reviews"] = axe_violations(console)
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, f"axe found WCAG A/AA violations:\n{describe(found)}"
