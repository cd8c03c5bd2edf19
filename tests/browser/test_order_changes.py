"""A resident's order when things change, on a 390x844 phone: cancelling asks first in a dialog
that says what comes back and where (and, without JavaScript, on a page of its own), then the page
shows the outcome instead of the delivery steps; when staff strike an item as unavailable, the open
order page crosses the line out and shows the refund without a reload.

The module's live server (the demo community) is its own; each test places its own order for a demo
resident through the real checkout, so the tests never meet.
"""
import re

from store_app.accounts.models import User
from store_app.catalogue.models import Merchant, Product
from store_app.database import utcnow
from store_app.extensions import db
from store_app.fulfilment import store_steps
from store_app.orders.cart import add_to_cart
from store_app.orders.checkout import new_idempotency_key, place_order
from store_app.orders.models import Order
from store_app.wallet import operations as wallet
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
# Demo residents (store_app/demo/data.py) living inside a zone, one per test.
RESIDENTS = {"dialog": "+8613900139006", "no_js": "+8613900139007", "live": "+8613900139008",
             "english": "+8613900139009"}
LIVE_UPDATE_MS = 12_000  # order-live.js polls every 5 s
HAN = re.compile(r"[\u4e00-\u9fff]")


def place(live_server, phone, count=2, payment_method="wallet"):
    """An order of two each of ``count`` of the store's own products for the demo resident, paid from a topped-up
    wallet: ``{id, items: [(item id, name_zh, name_en, line cents)], total_cents}``."""
    with live_server.transaction() as session:
        user = session.scalar(db.select(User).where(User.phone == phone))
        wallet.credit(user.id, user.store_id, 50_000, "topup", now=utcnow(), note="browser test")
        products = session.scalars(db.select(Product).join(Merchant, Product.merchant_id == Merchant.id).where(
            Product.store_id == user.store_id, Merchant.kind == "store", Product.is_active.is_(True),
            Product.stock >= 5, Product.price_cents >= 1000).order_by(Product.id).limit(count)).all()
        for item in products:
            add_to_cart(user, item.id, 2, now=utcnow())  # above every zone's minimum order
        order, created = place_order(user, address_id=user.default_address().id, payment_method=payment_method,
                                     idempotency_key=new_idempotency_key(), now=utcnow())
        assert created
        return {"id": order.id, "total_cents": order.total_cents,
                "items": [(i.id, i.name_zh, i.name_en, i.line_cents) for i in order.items]}


def status_of(live_server, order_id):
    with live_server.transaction() as session:
        return session.get(Order, order_id).status


def yuan(cents):
    return f"¥{cents // 100}.{cents % 100:02d}"


def test_cancel_asks_in_a_dialog_with_the_refund_then_shows_the_outcome(phone, live_server, ui):
    order = place(live_server, RESIDENTS["dialog"])
    log_in(phone, RESIDENTS["dialog"])
    phone.goto(f"/orders/{order['id']}")
    dialog = phone.locator("dialog[data-cancel-dialog]")
    expect(dialog).to_be_hidden()

    opener = phone.get_by_role("link", name="取消订单")
    ui.tall_enough(opener)
    opener.click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name=f"取消订单 #{order['id']}？")).to_be_visible()
    expect(dialog).to_contain_text(f"{yuan(order['total_cents'])} 将立即退回您的钱包。")
    ui.tall_enough(dialog.get_by_role("button"))
    ui.no_horizontal_scroll(phone)
    ui.screenshot(phone, "order-cancel-dialog-zh")

    # Changing one's mind closes it and changes nothing.
    dialog.get_by_role("button", name="不取消，保留订单").click()
    expect(dialog).to_be_hidden()
    assert status_of(live_server, order["id"]) == "placed"

    opener.click()
    dialog.get_by_role("button", name="确认取消订单").click()
    expect(phone).to_have_url(re.compile(rf"/orders/{order['id']}$"))
    outcome = phone.locator("#order-outcome")
    expect(outcome).to_be_visible()
    expect(outcome.get_by_role("heading", name="此订单已取消")).to_be_visible()
    expect(outcome).to_contain_text("您已取消此订单。")
    expect(outcome).to_contain_text(f"{yuan(order['total_cents'])} 已退回您的钱包。")
    expect(phone.locator("[data-step]")).to_have_count(0)
    expect(phone.get_by_role("link", name="返回商店")).to_be_visible()
    assert status_of(live_server, order["id"]) == "cancelled"
    assert not re.search(r"[A-Za-z]{4,}", outcome.inner_text()), outcome.inner_text()
    ui.no_horizontal_scroll(phone)
    ui.screenshot(phone, "order-cancelled-outcome-zh")


def test_without_javascript_the_confirmation_is_a_page(new_page, live_server, ui):
    from tests.browser.conftest import PHONE

    page = new_page(**PHONE, java_script_enabled=False)
    order = place(live_server, RESIDENTS["no_js"])
    log_in(page, RESIDENTS["no_js"])
    page.goto(f"/orders/{order['id']}")
    page.get_by_role("link", name="取消订单").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order['id']}/cancel$"))
    expect(page.locator("main")).to_contain_text(f"{yuan(order['total_cents'])} 将立即退回您的钱包。")
    assert status_of(live_server, order["id"]) == "placed"
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "order-cancel-page-nojs-zh")
    page.get_by_role("button", name="确认取消订单").click()
    expect(page.locator("#order-outcome")).to_be_visible()
    assert status_of(live_server, order["id"]) == "cancelled"


def test_an_unavailable_item_is_struck_and_refunded_live(phone, live_server, ui):
    order = place(live_server, RESIDENTS["live"])
    gone_id, gone_zh, _gone_en, gone_cents = order["items"][0]
    kept_id = order["items"][1][0]
    log_in(phone, RESIDENTS["live"])
    phone.goto(f"/orders/{order['id']}")
    gone, kept = phone.locator(f'[data-item="{gone_id}"]'), phone.locator(f'[data-item="{kept_id}"]')
    expect(gone).not_to_have_class(re.compile(r"\bstruck\b"))
    expect(phone.locator("[data-live-refunded]")).to_be_hidden()
    phone.evaluate("window.__sameDocument = true")  # gone after a reload

    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        store_steps.mark_item_unavailable(staff, order["id"], gone_id, utcnow())

    expect(gone).to_have_class(re.compile(r"\bstruck\b"), timeout=LIVE_UPDATE_MS)
    expect(gone.locator("[data-item-note]")).to_be_visible()
    expect(gone.locator("[data-item-note]")).to_have_text("缺货，已退款")  # not colour alone: words
    expect(kept).not_to_have_class(re.compile(r"\bstruck\b"))
    expect(kept.locator("[data-item-note]")).to_be_hidden()
    refunded = phone.locator("[data-live-refunded]")
    expect(refunded).to_be_visible()
    expect(refunded.locator('[data-live-total="refunded"]')).to_have_text(yuan(gone_cents))
    expect(phone.locator("[data-live-unavailable]")).to_contain_text(gone_zh)
    assert phone.evaluate("window.__sameDocument") is True  # no reload
    # The cancel dialog now offers only what is left.
    expect(phone.locator("[data-cancel-dialog] [data-live='cancel_refund_text']")).to_have_text(
        f"{yuan(order['total_cents'] - gone_cents)} 将立即退回您的钱包。")
    ui.no_horizontal_scroll(phone)
    ui.screenshot(phone, "order-unavailable-live-zh")


def test_the_english_page_says_it_in_english(new_page, live_server, ui):
    from tests.browser.conftest import PHONE

    page = new_page(**{**PHONE, "locale": "en-US"})
    order = place(live_server, RESIDENTS["english"])
    gone_id = order["items"][0][0]
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        store_steps.mark_item_unavailable(staff, order["id"], gone_id, utcnow())
    log_in(page, RESIDENTS["english"])
    page.goto(f"/orders/{order['id']}")
    page.get_by_role("link", name="Cancel order").click()
    dialog = page.locator("dialog[data-cancel-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("goes back to your wallet at once.")
    expect(page.locator(f'[data-item="{gone_id}"] [data-item-note]')).to_have_text("Not available, refunded")
    ui.screenshot(page, "order-cancel-dialog-en")
    dialog.get_by_role("button", name="Yes, cancel the order").click()
    outcome = page.locator("#order-outcome")
    expect(outcome.get_by_role("heading", name="This order was cancelled")).to_be_visible()
    assert not HAN.search(outcome.inner_text()), outcome.inner_text()
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "order-cancelled-outcome-en")
