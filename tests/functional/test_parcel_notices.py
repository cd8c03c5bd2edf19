"""The resident's parcels after the counter acts, through the test client: a code the counter locked
shows as locked with the way to a new one (never the dead code), and comes back once staff re-issue
it; the recipient is told when a proxy collects; a proxy is told when named and when no longer."""
import re

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.notifications.models import Notification, OutboxMessage
from store_app.parcels import handover
from store_app.parcels.models import Parcel, ParcelProxy
from store_app.roles import Role
from store_app.stores.models import Store
from tests.conftest import new_phone

from .conftest import post_form, text_of
from .test_parcels_resident import check_in, english, qr_path, shop, shopper, staff_id  # noqa: F401  (fixtures)


@pytest.fixture
def phone(login_client, shopper):  # noqa: F811
    """The shopper's phone: logged in, pages in English."""
    return english(login_client(shopper.phone))


@pytest.fixture
def counter(app, staff_id, login_client):  # noqa: F811
    """The counter tablet, logged in as the staff member of ``staff_id``."""
    with app.app_context():
        staff_phone = db.session.get(User, staff_id).phone
    return english(login_client(staff_phone))


def inbox_of(app, user_id):
    with app.app_context():
        return [(n.kind, n.params) for n in db.session.scalars(
            db.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]


def visible_text(response):
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def wrong_code(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def lock(counter, parcel_id, code):
    """Type a wrong code at the counter until the parcel's code locks (the fifth miss answers 423)."""
    answers = [post_form(counter, f"/console/parcels/handover/parcels/{parcel_id}/check",
                         {"code": wrong_code(code)}, token_from="/console/parcels/handover").status_code
               for _ in range(5)]
    assert answers[-1] == 423, answers


# ---- a locked pickup code ------------------------------------------------------------------------

def test_a_locked_code_shows_as_locked_with_the_way_to_a_new_one(app, shop, staff_id, shopper, phone,  # noqa: F811
                                                                  counter, counted_code_nonces):
    parcel_id, code, shelf, _ = check_in(app, staff_id, shopper.phone)
    assert f"data-pickup-code>{code}<" in text_of(phone.get("/parcels"))
    lock(counter, parcel_id, code)

    page = text_of(phone.get("/parcels"))
    card = page[page.index(f'id="parcel-{parcel_id}"'):]
    assert "data-code-locked" in card and "Pickup code locked" in card
    assert "after 5 wrong tries" in card and "The old code no longer works." in card
    assert "ask at the counter. Staff issue a new code on the spot; it shows here and in your inbox" in card
    # Not the dead code, its QR, nor "show this code at the counter".
    assert code not in page and qr_path(code) not in page and "data-pickup-code" not in page
    assert "Show the code or the QR code at the counter." not in page
    assert shelf in card  # the parcel is still there: where, and how long it waits

    # The counter's existing way out: a new code, which the page shows at once.
    assert post_form(counter, f"/console/parcels/handover/parcels/{parcel_id}/reissue",
                     token_from="/console/parcels/handover").status_code == 303
    page = text_of(phone.get("/parcels"))
    assert "data-code-locked" not in page
    new_code = re.search(r"data-pickup-code>(\d{6})<", page).group(1)
    assert new_code != code
    assert [kind for kind, _params in inbox_of(app, shopper.user_id)][-1] == "parcel_new_code"


def test_a_proxy_sees_the_lock_too_in_chinese(app, shop, staff_id, shopper, phone, counter,  # noqa: F811
                                              create_shopper, login_client, compiled_catalogs):
    parcel_id, code, _, _ = check_in(app, staff_id, shopper.phone)
    helper = create_shopper(shop, phone=new_phone(), name="Helper")
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": helper.phone, "parcel": ""}).status_code == 303
    lock(counter, parcel_id, code)
    helper_phone = login_client(helper.phone)
    helper_phone.set_cookie("lang", "zh")
    page = visible_text(helper_phone.get("/parcels"))
    assert "取件码已锁定" in page and "新码将发送给收件人" in page and code not in page


# ---- proxies are told, and tell -----------------------------------------------------------------

def test_a_proxy_is_told_when_named_and_when_no_longer(app, shop, staff_id, shopper, phone,  # noqa: F811
                                                       create_shopper, login_client):
    parcel_id, _code, _, tracking = check_in(app, staff_id, shopper.phone)
    helper = create_shopper(shop, phone=new_phone(), name="Helper")
    local = helper.phone.removeprefix("+86")
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": local, "parcel": parcel_id}).status_code == 303
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": local, "parcel": parcel_id}).status_code == 303
    assert [kind for kind, _ in inbox_of(app, helper.user_id)] == ["parcel_proxy_named"]  # named once, told once

    assert "they are told in their messages when you name them and when you stop" in \
        visible_text(phone.get("/parcels/proxies"))
    helper_phone = english(login_client(helper.phone))
    inbox = visible_text(helper_phone.get("/inbox"))
    assert "You may collect parcels for someone" in inbox
    assert f"Shopper lets you collect their ZTO Express parcel (…{tracking[-4:]})." in inbox

    with app.app_context():
        grant_id = db.session.scalar(db.select(ParcelProxy.id).where(ParcelProxy.owner_id == shopper.user_id))
    assert post_form(phone, f"/parcels/proxies/{grant_id}/revoke").status_code == 303
    assert [kind for kind, _ in inbox_of(app, helper.user_id)] == ["parcel_proxy_named", "parcel_proxy_withdrawn"]
    inbox = visible_text(helper_phone.get("/inbox"))
    assert f"Shopper no longer lets you collect their ZTO Express parcel (…{tracking[-4:]})." in inbox
    # A second withdrawal is refused and tells nobody again.
    assert post_form(phone, f"/parcels/proxies/{grant_id}/revoke").status_code == 404
    assert len(inbox_of(app, helper.user_id)) == 2


def test_naming_someone_for_all_parcels_says_so_in_chinese(app, shop, staff_id, shopper, phone,  # noqa: F811
                                                           create_shopper, login_client, compiled_catalogs):
    helper = create_shopper(shop, phone=new_phone(), name="Helper")
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": helper.phone, "parcel": ""}).status_code == 303
    helper_phone = login_client(helper.phone)
    helper_phone.set_cookie("lang", "zh")
    inbox = visible_text(helper_phone.get("/inbox"))
    assert "有人请您代取包裹" in inbox and "Shopper 请您代取其在本店的所有包裹。" in inbox


def test_a_proxy_without_an_account_gets_no_inbox_and_no_sms_without_a_gateway(  # noqa: F811
        app, shop, staff_id, shopper, phone, count):
    before = count(Notification), count(OutboxMessage)
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": new_phone(), "parcel": ""}).status_code == 303
    assert (count(Notification), count(OutboxMessage)) == before


def test_a_proxy_without_an_account_is_texted_when_a_gateway_is_set(app, shop, staff_id, shopper, phone):  # noqa: F811
    app.config.update(SMS_GATEWAY="http", SMS_GATEWAY_URL="http://sms.invalid/send")
    stranger = new_phone()
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": stranger, "parcel": ""}).status_code == 303
    with app.app_context():
        texts = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == stranger)).all()
    assert len(texts) == 1 and texts[0].channel == "sms" and "Shopper" in texts[0].body


def test_the_recipient_is_told_when_a_proxy_collects(app, shop, staff_id, shopper, phone,  # noqa: F811
                                                     create_shopper):
    first, _c1, _, t1 = check_in(app, staff_id, shopper.phone)
    second, _c2, _, t2 = check_in(app, staff_id, shopper.phone)
    helper = create_shopper(shop, phone=new_phone(), name="Helper")
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": helper.phone, "parcel": ""}).status_code == 303
    with app.app_context(), transaction():
        handover.hand_over(db.session.get(User, staff_id), db.session.get(Store, shop.store_id), [first, second],
                           collector_phone=helper.phone, payment="cash", now=utcnow())
    notes = inbox_of(app, shopper.user_id)
    assert [kind for kind, _ in notes if kind != "parcel_arrived"] == ["parcel_proxy_collected"]
    inbox = visible_text(phone.get("/inbox"))
    assert "Your parcel was collected for you" in inbox
    assert f"Helper ({helper.phone[3:6]} {helper.phone[6:10]} {helper.phone[10:]}) collected 2 of your parcels " \
           f"(…{t1[-4:]}, …{t2[-4:]}) for you at the counter." in inbox
    with app.app_context():
        assert {p.collected_as for p in db.session.scalars(db.select(Parcel))} == {"proxy"}


def test_the_recipient_collecting_in_person_gets_no_such_message(app, shop, staff_id, shopper, phone):  # noqa: F811
    parcel_id, _code, _, _ = check_in(app, staff_id, shopper.phone)
    with app.app_context(), transaction():
        handover.hand_over(db.session.get(User, staff_id), db.session.get(Store, shop.store_id), [parcel_id],
                           collector_phone=shopper.phone, payment="cash", now=utcnow())
    assert "parcel_proxy_collected" not in [kind for kind, _ in inbox_of(app, shopper.user_id)]


def test_only_residents_of_the_store_count_as_the_proxys_account(app, shop, staff_id, shopper, phone,  # noqa: F811
                                                                 create_user):
    _staff, staff_phone = create_user(shop.store_id, Role.STAFF, name="Someone at the counter")
    assert post_form(phone, "/parcels/proxies", {"proxy_phone": staff_phone, "parcel": ""}).status_code == 303
    with app.app_context():
        staff_user = db.session.scalar(db.select(User.id).where(User.phone == staff_phone))
    assert inbox_of(app, staff_user) == []
