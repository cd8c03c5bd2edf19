"""The resident's side of the parcel station through the test client: the Parcels tab (code, QR,
last digits, shelf, days left, fee), nobody else's parcels, parcels that arrived before the
resident signed up, proxies, "bring it to my door" and the checkout's "bring my parcel along",
and the parcels riding on an order shown to the resident, the counter and the courier."""
import re
from datetime import timedelta

import pytest
import segno
from sqlalchemy import event

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.orders.models import Order
from store_app.parcels import checkin, handover
from store_app.parcels.models import Parcel, ParcelProxy
from store_app.parcels.shelves import save_shelf
from store_app.roles import Role
from store_app.wallet.operations import get_balance
from store_app.fulfilment import moves
from store_app.orders import queries
from tests.conftest import add_shopper, fill_cart, new_phone

from .conftest import input_value, post_form, text_of

ORDER_URL_RE = re.compile(r"^/orders/(\d+)$")
DOOR_FEE = 300        # Store.parcel_door_fee_cents by default
FEE_PER_DAY = 100     # after 3 free days
DELIVERY_FEE = 500


# ---- set-up ---------------------------------------------------------------------------------------

@pytest.fixture
def shop(create_shop):
    return create_shop(stock=20, fee_cents=DELIVERY_FEE)


@pytest.fixture
def staff_id(app, shop, create_user):
    staff, _phone = create_user(shop.store_id, Role.STAFF, name="Counter")
    with app.app_context(), transaction():
        save_shelf(shop.store_id, 1, tiers=3, capacity=20)
    return staff


@pytest.fixture
def shopper(shop, create_shopper):
    return create_shopper(shop, balance_cents=10_000)


def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def phone(login_client, shopper):
    """The shopper's phone: logged in, pages in English."""
    return english(login_client(shopper.phone))


_tracking = iter(range(10 ** 9, 10 ** 10))


def check_in(app, staff_id, recipient_phone, *, age=timedelta(0), tracking=None):
    """Check a parcel in at the counter ``age`` ago: ``(parcel id, pickup code, shelf code, tracking)``."""
    tracking = tracking or f"ZT{next(_tracking)}"
    with app.app_context(), transaction():
        done = checkin.check_in(db.session.get(User, staff_id), tracking_number=tracking,
                                carrier="中通快递 ZTO", phone=recipient_phone, name="", size="small",
                                now=utcnow() - age)
        return done.parcel.id, done.code, done.parcel.shelf_code, tracking


def parcel_row(app, parcel_id):
    with app.app_context():
        parcel = db.session.get(Parcel, parcel_id)
        return {"status": parcel.status, "order": parcel.delivery_order_id}


def order_id_of(response):
    assert response.status_code == 303, (response.status_code, text_of(response)[:3000])
    match = ORDER_URL_RE.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def order_row(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        return {"total": order.total_cents, "parcel_fee": order.parcel_fee_cents, "status": order.status,
                "subtotal": order.subtotal_cents}


def balance_of(app, user_id):
    with app.app_context():
        return get_balance(user_id)


def qr_path(code):
    """The path data of the code's QR code, as the page must draw it (a full QR, medium correction)."""
    svg = segno.make(code, error="m", micro=False).svg_inline(omitsize=True)
    return re.search(r' d="([^"]+)"', svg).group(1)


@pytest.fixture
def statements(app):
    """``with statements() as seen:`` the SQL sent meanwhile, as a list of strings."""
    from contextlib import contextmanager

    @contextmanager
    def recording():
        seen = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return recording


def about_parcels(seen):
    return [s for s in seen if re.search(r"\bparcels\b", s)]


# ---- the Parcels tab --------------------------------------------------------------------------------

def test_the_tab_shows_the_code_its_qr_the_last_digits_shelf_days_left_and_fee(app, shop, staff_id, shopper, phone):
    old_id, old_code, old_shelf, old_tracking = check_in(app, staff_id, shopper.phone,
                                                         age=timedelta(days=4, hours=1))
    new_id, new_code, new_shelf, new_tracking = check_in(app, staff_id, shopper.phone)

    response = phone.get("/parcels")
    assert response.status_code == 200
    page = text_of(response)
    old = page[page.index(f'id="parcel-{old_id}"'):page.index(f'id="parcel-{new_id}"')]
    new = page[page.index(f'id="parcel-{new_id}"'):]
    assert f"data-pickup-code>{old_code}<" in old and f"data-pickup-code>{new_code}<" in new
    assert qr_path(old_code) in old and qr_path(new_code) in new  # the QR carries the code itself
    assert '<svg viewBox="0 0 29 29" class="qr">' in old
    assert f"…{old_tracking[-4:]}" in old and old_tracking not in page  # only the last digits
    assert old_shelf in old and new_shelf in new
    assert "Fee so far: ¥2.00" in old  # days 4 and 5 begun after 3 free days
    assert "2 days left before it goes back to the carrier" in old
    assert "Free until" in new and "Fee so far" not in new
    assert "6 days left before it goes back to the carrier" in new
    assert 'href="/parcels" aria-current="page"' in page  # the tab, lit


def test_the_tab_says_when_nothing_is_waiting(app, shop, staff_id, phone):
    page = text_of(phone.get("/parcels"))
    assert "No parcels are waiting for you." in page and "<svg viewBox" not in page


def test_staff_and_logged_out_visitors_do_not_get_the_tab(app, shop, staff_id, client, login_client, create_user):
    assert client.get("/parcels").status_code == 302
    _id, staff_phone = create_user(shop.store_id, Role.STAFF)
    assert login_client(staff_phone).get("/parcels").status_code == 403


def test_another_resident_never_sees_them(app, shop, staff_id, shopper, create_shopper, login_client, count):
    parcel_id, code, shelf, tracking = check_in(app, staff_id, shopper.phone)
    other = create_shopper(shop)
    neighbour = english(login_client(other.phone))

    page = text_of(neighbour.get("/parcels"))
    assert code not in page and tracking[-4:] not in page and "No parcels are waiting for you." in page
    door = text_of(neighbour.get(f"/parcels/door?parcel_ids={parcel_id}"))
    assert code not in door and shelf not in door
    # Not theirs to send, nor to hand to someone else.
    sent = post_form(neighbour, "/parcels/door", {"parcel_ids": parcel_id, "address_id": other.address_id,
                                                  "payment_method": "cash", "idempotency_key": "k" * 20,
                                                  "expected_fee_cents": DOOR_FEE})
    assert sent.status_code == 409 and count(Order) == 0
    proxy = post_form(neighbour, "/parcels/proxies", {"proxy_phone": new_phone(), "parcel": parcel_id})
    assert proxy.status_code == 404 and count(ParcelProxy) == 0
    assert parcel_row(app, parcel_id) == {"status": "waiting", "order": None}


def test_parcels_checked_in_before_the_resident_signed_up_show_up(app, shop, staff_id, login_client):
    number = new_phone()
    parcel_id, code, shelf, _ = check_in(app, staff_id, number)
    with app.app_context():
        person = add_shopper(shop, phone=number)  # signs up afterwards, with the same phone
        assert db.session.get(Parcel, parcel_id).recipient_id is None
    page = text_of(english(login_client(person.phone)).get("/parcels"))
    assert f"data-pickup-code>{code}<" in page and shelf in page and qr_path(code) in page


def test_the_history_lists_collected_parcels(app, shop, staff_id, shopper, phone):
    parcel_id, code, _, tracking = check_in(app, staff_id, shopper.phone)
    with app.app_context(), transaction():
        from store_app.stores.models import Store
        handover.hand_over(db.session.get(User, staff_id), db.session.get(Store, shop.store_id), [parcel_id],
                           collector_phone=shopper.phone, payment="cash", now=utcnow())
    page = text_of(phone.get("/parcels"))
    assert "No parcels are waiting for you." in page and code not in page
    history = page[page.index('id="history"'):]
    assert f"…{tracking[-4:]}" in history and "Collected" in history


# ---- proxies --------------------------------------------------------------------------------------------

def test_a_proxy_for_one_parcel_then_all_sees_the_code_until_revoked(
        app, shop, staff_id, shopper, phone, create_shopper, login_client):
    first_id, first_code, _, _ = check_in(app, staff_id, shopper.phone)
    second_id, second_code, _, _ = check_in(app, staff_id, shopper.phone)
    helper = create_shopper(shop, phone=new_phone())
    helper_phone = english(login_client(helper.phone))
    local = helper.phone.removeprefix("+86")  # as a resident types it

    assert "To collect for others" not in text_of(helper_phone.get("/parcels"))
    one = post_form(phone, "/parcels/proxies", {"proxy_phone": local, "parcel": first_id})
    assert one.status_code == 303 and one.headers["Location"] == "/parcels/proxies"
    seen = text_of(helper_phone.get("/parcels"))
    assert f'id="proxy-parcel-{first_id}"' in seen and f"data-pickup-code>{first_code}<" in seen
    assert qr_path(first_code) in seen and second_code not in seen and "Shopper" in seen

    everything = post_form(phone, "/parcels/proxies", {"proxy_phone": local, "parcel": ""})
    assert everything.status_code == 303
    seen = text_of(helper_phone.get("/parcels"))
    assert first_code in seen and second_code in seen
    listing = text_of(phone.get("/parcels/proxies"))
    assert "All my parcels" in listing and listing.count("/revoke") == 2

    with app.app_context():
        grants = db.session.scalars(db.select(ParcelProxy.id).where(ParcelProxy.owner_id == shopper.user_id)).all()
    for grant in grants:
        assert post_form(phone, f"/parcels/proxies/{grant}/revoke").status_code == 303
    seen = text_of(helper_phone.get("/parcels"))
    assert first_code not in seen and second_code not in seen and "To collect for others" not in seen
    assert "Nobody else may collect your parcels yet." in text_of(phone.get("/parcels/proxies"))


def test_only_the_owner_can_revoke(app, shop, staff_id, shopper, phone, create_shopper, login_client):
    post_form(phone, "/parcels/proxies", {"proxy_phone": new_phone(), "parcel": ""})
    with app.app_context():
        grant = db.session.scalar(db.select(ParcelProxy.id))
    other = english(login_client(create_shopper(shop).phone))
    assert post_form(other, f"/parcels/proxies/{grant}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ParcelProxy, grant).revoked_at is None


@pytest.mark.parametrize("typed", ["12345", "own"])
def test_a_bad_or_own_phone_is_a_message_keeps_what_was_typed_and_changes_nothing(
        app, shop, staff_id, shopper, phone, count, typed):
    typed = shopper.phone.removeprefix("+86") if typed == "own" else typed
    response = post_form(phone, "/parcels/proxies", {"proxy_phone": typed, "parcel": ""})
    assert response.status_code == 400
    assert "Enter the mobile number of the person who will collect, not your own." in text_of(response)
    assert input_value(response, "proxy_phone") == typed
    assert count(ParcelProxy) == 0


# ---- "bring it to my door" -----------------------------------------------------------------------------

def door_form(client, **query):
    """GET the door page and the fields a browser would send back."""
    page = client.get("/parcels/door", query_string=query)
    assert page.status_code == 200, text_of(page)[:2000]
    ticked = re.findall(r'name="parcel_ids" value="(\d+)" checked', page.get_data(as_text=True))
    form = {name: input_value(page, name) for name in ("idempotency_key", "expected_fee_cents")}
    address = re.search(r'<option[^>]*selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected',
                        page.get_data(as_text=True))
    form.update(address_id=next(g for g in address.groups() if g), payment_method="wallet", parcel_ids=ticked)
    return page, form


def test_door_delivery_makes_an_order_with_the_fee_and_a_cancel_puts_them_back(
        app, shop, staff_id, shopper, phone, count):
    old_id, _, old_shelf, _ = check_in(app, staff_id, shopper.phone, age=timedelta(days=4, hours=1))
    new_id, _, _, _ = check_in(app, staff_id, shopper.phone)
    page, form = door_form(phone, parcel_ids=old_id)
    assert form["parcel_ids"] == [str(old_id)]  # the parcel whose button was tapped
    fee = DOOR_FEE + 2 * FEE_PER_DAY
    assert form["expected_fee_cents"] == str(fee) and "¥5.00" in text_of(page)

    order_id = order_id_of(phone.post("/parcels/door", data={**form, "csrf_token": input_value(page, "csrf_token")}))
    assert order_row(app, order_id) == {"total": fee, "parcel_fee": fee, "status": "placed", "subtotal": 0}
    assert parcel_row(app, old_id) == {"status": "out", "order": order_id}
    assert parcel_row(app, new_id) == {"status": "waiting", "order": None}
    assert balance_of(app, shopper.user_id) == 10_000 - fee

    order_page = text_of(phone.get(f"/orders/{order_id}"))
    assert f"Parcels brought along: shelf codes {old_shelf}" in order_page and "¥5.00" in order_page
    tab = text_of(phone.get("/parcels"))
    assert f"Out for delivery with order #{order_id}" in tab and f'id="parcel-{old_id}"' not in tab

    assert post_form(phone, f"/orders/{order_id}/cancel").status_code == 303
    assert parcel_row(app, old_id) == {"status": "waiting", "order": None}
    assert balance_of(app, shopper.user_id) == 10_000
    assert count(Order) == 1


def test_door_delivery_double_submit_is_one_order(app, shop, staff_id, shopper, phone, count):
    parcel_id, *_ = check_in(app, staff_id, shopper.phone)
    page, form = door_form(phone)
    assert form["parcel_ids"] == [str(parcel_id)]  # every waiting parcel ticked by default
    data = {**form, "csrf_token": input_value(page, "csrf_token")}
    first, second = phone.post("/parcels/door", data=data), phone.post("/parcels/door", data=data)
    assert order_id_of(first) == order_id_of(second) and count(Order) == 1
    assert balance_of(app, shopper.user_id) == 10_000 - DOOR_FEE


def test_not_enough_in_the_wallet_is_a_message_and_nothing_changes(
        app, shop, staff_id, create_shopper, login_client, count):
    poor = create_shopper(shop, balance_cents=100)
    client = english(login_client(poor.phone))
    parcel_id, *_ = check_in(app, staff_id, poor.phone)
    page, form = door_form(client)
    response = client.post("/parcels/door", data={**form, "csrf_token": input_value(page, "csrf_token")})
    assert response.status_code == 409
    assert "Your wallet balance is not enough" in text_of(response)
    assert f'name="parcel_ids" value="{parcel_id}" checked' in text_of(response)  # the form comes back as sent
    assert count(Order) == 0 and balance_of(app, poor.user_id) == 100
    assert parcel_row(app, parcel_id) == {"status": "waiting", "order": None}


@pytest.mark.parametrize("changes, status, message", [
    ({"parcel_ids": []}, 400, "Tick the parcels to bring to your door."),
    ({"expected_fee_cents": "1"}, 409, "The fee changed since the page was shown."),
    ({"expected_fee_cents": ""}, 409, "The fee changed since the page was shown."),
    ({"payment_method": "bitcoin"}, 400, "Not a valid choice"),
    ({"idempotency_key": "no"}, 409, "already being placed"),
])
def test_bad_door_input_is_a_message_and_nothing_changes(app, shop, staff_id, shopper, phone, count,
                                                         changes, status, message):
    parcel_id, *_ = check_in(app, staff_id, shopper.phone)
    page, form = door_form(phone)
    response = phone.post("/parcels/door", data={**form, "csrf_token": input_value(page, "csrf_token"), **changes})
    assert response.status_code == status and message in text_of(response)
    assert count(Order) == 0 and balance_of(app, shopper.user_id) == 10_000
    assert parcel_row(app, parcel_id) == {"status": "waiting", "order": None}


@pytest.mark.parametrize("query", ["parcel_ids=abc", "parcel_ids=999999", "address_id=x&payment_method=z"])
def test_a_door_page_with_odd_query_still_shows(app, shop, staff_id, shopper, phone, query):
    check_in(app, staff_id, shopper.phone)
    response = phone.get(f"/parcels/door?{query}")
    assert response.status_code == 200 and "data-door-total>¥0.00<" in text_of(response)


def test_outside_the_zone_is_told_before_paying_and_refused(app, shop, staff_id, create_shopper, login_client, count):
    far = create_shopper(shop, building_id=shop.outside_building_id)
    client = english(login_client(far.phone))
    parcel_id, *_ = check_in(app, staff_id, far.phone)
    page, form = door_form(client)
    assert "promise warn" in text_of(page)
    response = client.post("/parcels/door", data={**form, "csrf_token": input_value(page, "csrf_token")})
    assert response.status_code == 409 and count(Order) == 0
    assert parcel_row(app, parcel_id) == {"status": "waiting", "order": None}


# ---- the checkout's "bring my parcel along" ---------------------------------------------------------------

def checkout_form(client):
    page = client.get("/checkout")
    assert page.status_code == 200
    form = {name: input_value(page, name) for name in ("csrf_token", "idempotency_key", "expected_total_cents")}
    address = re.search(r'<option[^>]*selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected',
                        page.get_data(as_text=True))
    form.update(address_id=next(g for g in address.groups() if g), payment_method="wallet", note="")
    return page, form


def test_a_parcel_rides_along_with_a_checkout_once_even_on_a_double_submit(
        app, shop, staff_id, shopper, phone, count):
    parcel_id, _, shelf, tracking = check_in(app, staff_id, shopper.phone, age=timedelta(days=3, hours=1))
    other_id, *_ = check_in(app, staff_id, shopper.phone)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["water"]: 1})
    page, form = checkout_form(phone)
    text = text_of(page)
    assert f'name="parcel_ids" value="{parcel_id}"' in text and f"…{tracking[-4:]}" in text
    assert "storage fee ¥1.00" in text and "¥3.00 door fee" in text
    assert form["expected_total_cents"] == str(300 + DELIVERY_FEE)  # the goods' total, without parcels

    data = {**form, "parcel_ids": [parcel_id]}
    first, second = phone.post("/checkout", data=data), phone.post("/checkout", data=data)
    order_id = order_id_of(first)
    assert order_id_of(second) == order_id and count(Order) == 1
    along = DOOR_FEE + FEE_PER_DAY
    assert order_row(app, order_id) == {"total": 300 + DELIVERY_FEE + along, "parcel_fee": along,
                                        "status": "placed", "subtotal": 300}
    assert balance_of(app, shopper.user_id) == 10_000 - (300 + DELIVERY_FEE + along)
    assert parcel_row(app, parcel_id) == {"status": "out", "order": order_id}
    assert parcel_row(app, other_id) == {"status": "waiting", "order": None}
    order_page = text_of(phone.get(f"/orders/{order_id}"))
    assert f"Parcels brought along: shelf codes {shelf}" in order_page and "¥4.00" in order_page


def test_the_add_on_fee_is_shown_apart_and_the_pay_button_follows_what_is_ticked(
        app, shop, staff_id, shopper, phone):
    parcel_id, *_ = check_in(app, staff_id, shopper.phone)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["water"]: 1})
    page, form = checkout_form(phone)
    assert re.search(r"data-parcel-row[^>]*hidden", text_of(page))  # nothing ticked: the goods' total
    assert "Pay <span data-pay-amount>¥8.00</span> and place order" in text_of(page)
    # A refused submit comes back with the parcel ticked and the total with its fee.
    response = phone.post("/checkout", data={**form, "parcel_ids": [parcel_id], "payment_method": ""})
    assert response.status_code == 400
    text = text_of(response)
    assert f'value="{parcel_id}" data-fee-cents="0" checked' in text
    assert "Pay <span data-pay-amount>¥11.00</span> and place order" in text
    assert input_value(response, "expected_total_cents") == "800"


def test_someone_elses_parcel_cannot_ride_along(app, shop, staff_id, shopper, phone, create_shopper, count):
    other = create_shopper(shop)
    parcel_id, *_ = check_in(app, staff_id, other.phone)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["water"]: 1})
    _, form = checkout_form(phone)
    response = phone.post("/checkout", data={**form, "parcel_ids": [parcel_id]})
    assert response.status_code == 409 and count(Order) == 0
    assert parcel_row(app, parcel_id) == {"status": "waiting", "order": None}


def test_checkout_without_parcels_asks_about_parcels_once_and_not_at_all_on_submit(
        app, shop, staff_id, shopper, phone, statements, count):
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["water"]: 1})
    with statements() as seen:
        page, form = checkout_form(phone)
    assert len(about_parcels(seen)) == 1 and "parcels-along" not in text_of(page)
    with statements() as seen:
        order_id_of(phone.post("/checkout", data=form))
    assert about_parcels(seen) == [] and count(Order) == 1


# ---- the counter and the courier see what rides along ----------------------------------------------------

def test_the_board_names_the_shelf_codes_in_one_query_and_the_courier_counts_them(
        app, shop, staff_id, shopper, create_shopper, login_client, statements):
    from store_app.orders.checkout import new_idempotency_key, place_order

    other = create_shopper(shop)
    shelves = {}
    for person in (shopper, other):
        parcel_id, _, shelf, _ = check_in(app, staff_id, person.phone)
        with app.app_context():
            fill_cart(person.user_id, {shop.products["water"]: 1})
            with transaction():
                order, _ = place_order(db.session.get(User, person.user_id), address_id=person.address_id,
                                       payment_method="cash", idempotency_key=new_idempotency_key(),
                                       now=utcnow(), parcel_ids=[parcel_id])
                shelves[order.id] = shelf
    with app.app_context():
        staff_phone = db.session.get(User, staff_id).phone
    counter = english(login_client(staff_phone))
    with statements() as seen:
        board = text_of(counter.get("/console/orders"))
    assert len(about_parcels(seen)) == 1  # one query for every card
    for order_id, shelf in shelves.items():
        card = board[board.index(f'id="order-{order_id}"'):]
        assert f"Parcels from the shelf:</strong> {shelf}" in card[:card.index("</article>")]
        picking = text_of(counter.get(f"/console/orders/{order_id}/picking-list"))
        assert shelf in picking and "Parcels from the shelf" in picking

    order_id = next(iter(shelves))
    courier_id = shop.courier_ids[0]
    with app.app_context():
        from store_app.fulfilment.store_steps import assign_courier
        from store_app.orders.models import OrderStatus
        with transaction():
            order = queries.get_store_order(shop.store_id, order_id)
            for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY):
                moves.move(order, target, actor_id=None, now=utcnow())
        with transaction():
            assign_courier(db.session.get(User, staff_id), order_id, courier_id, utcnow())
        courier_phone = db.session.get(User, courier_id).phone
    courier = english(login_client(courier_phone))
    page = text_of(courier.get("/courier"))
    assert "Parcels: 1 from the parcel station" in page
