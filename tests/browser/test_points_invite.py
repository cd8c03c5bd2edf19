"""A resident's points and invitations on a phone (390x844), in Chinese and in English: the Me page
leads to "My points" (balance, tier, progress, the demotion rule, redeeming a coupon, history) and to
"Invite your neighbours" (code, link, QR, an invitation, the building's households); the invite link
opens a page whose button leads to sign-up with the code filled in. Screenshots are taken."""
from datetime import timedelta

from store_app.accounts import operations as accounts
from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.growth import referrals
from store_app.growth.points_models import PointsAccount
from tests.browser.conftest import PHONE
from tests.browser.pages import log_in
from tests.conftest import PASSWORD
from tests.points_support import add_points_coupon, buy

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

RESIDENT = "+8613900139003"
FRIEND = "+8613912398765"


def set_up(live_server):
    """The resident (with the points of their demo history) bought ¥123.45 of goods, a coupon is on
    sale for 60 points, and a friend in another flat of the building signed up with the code and placed
    a first order: returns the code, the store and the resident's points before the purchase."""
    app = live_server.app
    with app.app_context():
        try:
            user = db.session.scalar(db.select(User).where(User.phone == RESIDENT))
            user_id, store_id = user.id, user.store_id
            building_id = user.default_address().building_id
            now = utcnow()
            account = db.session.get(PointsAccount, user_id)
            before = account.balance if account is not None else 0
            assert before + 123 < 1000, "the demo resident stays in the basic tier"
            buy(user_id, store_id, "order:browser-points-1", goods_cents=12_345, fee_cents=500, now=now)
            add_points_coupon(store_id, 60, now=now, title="¥5 off ¥20")
            code = referrals.code_for(db.session.get(User, user_id))
            with transaction():
                friend = accounts.register_resident(store_id, FRIEND, "王芳", PASSWORD, building_id, "9-909",
                                                    extras={"invite_code": code}, now=now)
                friend_id = friend.id
            buy(friend_id, store_id, "order:browser-points-2", goods_cents=3_000, now=now - timedelta(minutes=5))
            return code, store_id, before
        finally:
            db.session.remove()


def test_points_and_invitations_on_a_phone(phone, new_page, live_server, ui):
    code, store_id, before = set_up(live_server)
    page = phone
    log_in(page, RESIDENT)
    page.wait_for_url("**/shop")
    page.goto("/me")
    page.locator("#my-points-link").click()
    page.wait_for_url("**/me/points")
    expect(page.locator("#points-balance")).to_have_text(str(before + 123))
    expect(page.locator("#points-tier")).to_have_text("普通")
    expect(page.locator("#demotion-rule")).to_contain_text("每月 1 日")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "points-zh")

    # The test's coupon (60 points), beside the demo's own (500 points).
    reward = page.locator("#points-rewards li", has_text="60 积分")
    reward.locator("button", has_text="兑换").click()
    page.wait_for_url("**/me/points")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#points-balance")).to_have_text(str(before + 63))
    expect(page.locator("#points-history")).to_contain_text("兑换优惠券")
    ui.tall_enough(reward.locator("button"))
    ui.screenshot(page, "points-redeemed-zh")

    page.goto("/me")
    page.locator("#invite-neighbours-link").click()
    page.wait_for_url("**/me/invite")
    expect(page.locator("#my-invite-code")).to_have_text(code)
    expect(page.locator("#invite-link")).to_have_value(f"{live_server.url}/invite/{code}?store={store_id}")
    expect(page.locator("#invite-qr svg.qr")).to_be_visible()
    expect(page.locator("#invitations li")).to_have_count(1)
    expect(page.locator("#invitations")).to_contain_text("王**")
    expect(page.locator("#building-households strong")).to_have_text("2")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "invite-zh")

    english = new_page(**{**PHONE, "locale": "en-US"})
    log_in(english, RESIDENT)
    english.wait_for_url("**/shop")
    english.goto("/me/points")
    expect(english.locator("#points-tier")).to_have_text("Basic")
    ui.no_horizontal_scroll(english)
    ui.screenshot(english, "points-en")
    english.goto("/me/invite")
    expect(english.locator("#invitations")).to_contain_text("First order done")
    ui.no_horizontal_scroll(english)
    ui.screenshot(english, "invite-en")

    visitor = new_page(**PHONE)
    visitor.goto(f"/invite/{code}?store={store_id}")
    ui.no_horizontal_scroll(visitor)
    ui.screenshot(visitor, "invite-landing-zh")
    visitor.locator("#invite-sign-up").click()
    visitor.wait_for_url("**/register**")
    expect(visitor.locator('input[name="invite_code"]')).to_have_value(code)
    ui.no_horizontal_scroll(visitor)


STAFF_PHONE = "+8613800138001"


def test_staff_put_a_coupon_on_sale_for_points_on_the_counter_tablet(tablet, live_server, ui):
    with live_server.app.app_context():
        try:
            store_id = db.session.scalar(db.select(User.store_id).where(User.phone == STAFF_PHONE))
            coupon_id = add_points_coupon(store_id, 80, now=utcnow(), title="Tablet coupon")
        finally:
            db.session.remove()
    page = tablet
    log_in(page, STAFF_PHONE)
    page.wait_for_load_state("load")
    page.goto("/console/points")
    form = page.locator(f'form[action="/console/points/coupons/{coupon_id}"]')
    form.locator('input[name="points_price"]').fill("120")
    form.locator("button").click()
    page.wait_for_url("**/console/points")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(form.locator('input[name="points_price"]')).to_have_value("120")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "points-console-zh")
