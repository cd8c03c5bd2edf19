"""A resident claims a coupon in the coupon centre and sees it applied at checkout, on a 390x844
phone in real Chromium: reached from the Me page, the claim button, "my coupons", then the checkout
with the coupon ticked, its discount line and the new total; unticking re-prices without a reload;
the order is placed with the discount. Screenshots in zh and en.

The live server's database is shared by the module: the test registers its own resident and its
own coupon. Amounts are checked against the database, not against translated copy.
"""
import re
from datetime import timedelta

from store_app.accounts import operations as accounts
from store_app.catalogue.models import Product
from store_app.database import utcnow
from store_app.extensions import db
from store_app.geo.models import Building
from store_app.growth.models import Coupon, CouponGrant
from store_app.orders.models import Order
from store_app.stores.models import Store
from store_app.wallet import operations as wallet
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

PASSWORD = "coupon-2026"
BUILDING = "莲花苑 5号楼"              # store_app/demo: the inner zone
PRODUCT_EN = "Chilled Salmon"          # ¥39.90, above the zones' minimum


def setting_up(live_server, phone_number):
    """A funded resident in the inner zone and a claimable coupon (¥10 off from ¥30) made for this test."""
    with live_server.transaction() as session:
        store = session.scalar(db.select(Store).order_by(Store.id))
        building_id = session.scalar(db.select(Building.id).where(Building.name == BUILDING))
        user = accounts.register_resident(store.id, phone_number, "Coupon Tester", PASSWORD, building_id, "3-301",
                                          locale="zh")
        wallet.credit(user.id, store.id, 20_000, "topup", now=utcnow(), note="browser test")
        now = utcnow()
        coupon = Coupon(store_id=store.id, kind="spend_save", title_zh="满30减10", title_en="¥10 off ¥30",
                        amount_off_cents=1000, min_spend_cents=3000, starts_at=now - timedelta(hours=1),
                        ends_at=now + timedelta(days=7), claimable=True, per_user_limit=1, total_limit=500)
        session.add(coupon)
        session.flush()
        product_id = session.scalar(db.select(Product.id).where(Product.name_en == PRODUCT_EN))
        return user.id, coupon.id, product_id


def test_a_resident_claims_a_coupon_and_sees_it_applied_at_checkout(phone, live_server, fresh_phone, ui):
    page = phone
    number = fresh_phone()
    user_id, coupon_id, product_id = setting_up(live_server, number)
    log_in(page, number, PASSWORD)

    # From the Me page to the coupon centre; claim.
    page.goto("/me")
    page.locator("#coupons-link").click()
    page.wait_for_url("**/coupons")
    claim = page.locator(f'button[data-claim="{coupon_id}"]')
    expect(claim).to_be_visible()
    ui.tall_enough(claim)
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "coupons-centre-zh")
    claim.click()
    page.wait_for_url("**/coupons")
    expect(page.locator(".flashes")).to_be_visible()
    expect(page.locator("#mine .coupon-ticket")).to_contain_text("满30减10")
    with live_server.transaction() as session:
        [(grant_id, status)] = session.execute(db.select(CouponGrant.id, CouponGrant.status)
                                               .where(CouponGrant.user_id == user_id)).all()
    assert status == "available"
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "coupons-claimed-zh")

    # The checkout: the coupon ticked, its discount and the new total.
    page.goto(f"/shop?q={PRODUCT_EN}")
    with page.expect_response(lambda r: r.url.endswith("/cart/items") and r.request.method == "POST") as added:
        page.locator(f"li.feed-card#p{product_id} button.add-button").click()
    assert added.value.ok
    page.goto("/checkout")
    page.evaluate("window.stayedOnPage = true")
    box = page.locator(f'input[name="coupon_ids"][value="{grant_id}"]')
    expect(box).to_be_checked()
    discount = page.locator("[data-discount-row]")
    expect(discount).to_be_visible()
    expect(discount).to_contain_text("10.00")
    expected = page.locator('input[name="expected_total_cents"]')
    with live_server.transaction() as session:
        price = session.get(Product, product_id).price_cents
    with_coupon = int(expected.input_value())
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "coupons-checkout-zh")

    # Unticking re-prices without a reload; ticking again brings the discount back.
    with page.expect_response(lambda r: "/checkout/price" in r.url):
        box.uncheck()
    expect(discount).to_be_hidden()
    expect(expected).to_have_value(str(with_coupon + 1000))
    with page.expect_response(lambda r: "/checkout/price" in r.url):
        box.check()
    expect(discount).to_be_visible()
    expect(expected).to_have_value(str(with_coupon))
    assert page.evaluate("window.stayedOnPage") is True
    expect(page.locator("[data-grand-total]")).to_contain_text(f"{with_coupon // 100}.{with_coupon % 100:02d}")

    page.locator("button[data-once]").click()
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    order_id = int(page.url.rsplit("/", 1)[1])
    with live_server.transaction() as session:
        order = session.get(Order, order_id)
        assert (order.discount_cents, order.subtotal_cents, order.total_cents) == (
            1000, price, price + order.delivery_fee_cents - 1000)
        assert session.get(CouponGrant, grant_id).status == "used"

    # My coupons in English: the copy is on the "used" tab.
    page.goto("/coupons?tab=used")
    with page.expect_navigation():
        page.locator('header .lang-switch button[value="en"]').click()
    expect(page.locator("#mine .coupon-ticket")).to_contain_text("¥10 off ¥30")
    expect(page.locator("#mine .coupon-ticket")).to_contain_text("Used on")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "coupons-used-en")
