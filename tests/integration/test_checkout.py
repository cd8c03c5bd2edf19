"""Checkout on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): ``place_order``
takes stock, pays and creates the delivery task in one transaction, or changes nothing at all;
a replayed idempotency key finds the first order; the resident cancels before picking only."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from store_app.accounts.models import User
from store_app.catalogue.models import Product, StockMovement
from store_app.database import transaction, utcnow
from store_app.deliveries import rules as delivery_rules
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.orders import checkout, errors
from store_app.orders.cart import acknowledge_changes
from store_app.orders.models import CartItem, Order, OrderEvent, OrderItem, OrderStatus
from store_app.wallet.errors import InsufficientFunds
from store_app.wallet.models import Wallet, WalletEntry
from store_app.wallet.operations import get_balance, ledger_sum
from store_app.fulfilment import moves
from store_app.fulfilment import settlement
from store_app.orders import rules as order_rules
from store_app.fulfilment import errors as fulfilment_errors
from store_app.catalogue import errors as catalogue_errors
from tests.conftest import SHOP_PRODUCTS, fill_cart

KEY = "checkout-key-0001"
OTHER_KEY = "checkout-key-0002"
FEE = 500
# 2 x water (300) + 1 x milk (1250) + the fee.
CART_TOTAL = 2 * 300 + 1250 + FEE


@pytest.fixture
def shop(create_shop):
    return create_shop(stock=20, fee_cents=FEE)


@pytest.fixture
def shopper(app, shop, create_shopper):
    """A resident inside the zone with ¥100 in the wallet and 2 water + 1 milk in the cart."""
    person = create_shopper(shop, balance_cents=10_000)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 2, shop.products["milk"]: 1})
    return person


def place(app, person, key=KEY, **options):
    """Run ``place_order`` the way the view does (one transaction); ``(order_id, created)``."""
    options = {"address_id": person.address_id, "payment_method": "wallet", "now": utcnow()} | options
    with app.app_context():
        user = db.session.get(User, person.user_id)
        with transaction():
            order, created = checkout.place_order(user, idempotency_key=key, **options)
            return order.id, created


def state(app, shop, person):
    """Everything checkout may touch, read fresh from the database."""
    with app.app_context():
        def count(model):
            return db.session.scalar(db.select(db.func.count()).select_from(model))
        stock = dict(db.session.execute(db.select(Product.id, Product.stock)).all())
        return {
            "counts": {m.__name__: count(m)
                       for m in (Order, OrderItem, OrderEvent, StockMovement, DeliveryTask, WalletEntry)},
            "stock": {key: stock[pid] for key, pid in shop.products.items()},
            "balance": get_balance(person.user_id),
            "ledger": ledger_sum(person.user_id),
            "cart": sorted(db.session.execute(db.select(CartItem.product_id, CartItem.quantity,
                                                        CartItem.seen_price_cents)
                                              .where(CartItem.user_id == person.user_id)).all()),
        }


def assert_nothing_changed(app, shop, person, before):
    assert state(app, shop, person) == before


def set_price(app, product_id, price_cents):
    with app.app_context(), transaction():
        db.session.execute(db.update(Product).where(Product.id == product_id).values(price_cents=price_cents))


# ---- the happy path ----------------------------------------------------------------------------

def test_place_order_takes_stock_pays_and_creates_the_task(app, shop, shopper):
    now = utcnow()
    order_id, created = place(app, shopper, now=now, expected_total_cents=CART_TOTAL, note="  ring twice ")

    assert created
    after = state(app, shop, shopper)
    assert after["stock"] == {"water": 18, "noodles": 20, "milk": 19}
    assert after["cart"] == []
    assert after["balance"] == after["ledger"] == 10_000 - CART_TOTAL
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == OrderStatus.PLACED.value and order.user_id == shopper.user_id
        assert (order.subtotal_cents, order.delivery_fee_cents, order.discount_cents, order.total_cents) == \
            (CART_TOTAL - FEE, FEE, 0, CART_TOTAL)
        assert order.payment_method == "wallet" and order.idempotency_key == KEY
        assert order.zone_name == "Zone A" and order.address_text == "Inside Tower, 2-1202"
        assert order.delivery_code.isdigit() and len(order.delivery_code) == 4
        assert order.note == "ring twice" and order.placed_at == now and order.scheduled_for is None
        assert 0 < order.eta_minutes <= 30
        assert order.promised_at == now + timedelta(minutes=order.eta_minutes)
        assert [e.status for e in order.events] == ["placed"]

        items = {item.product_id: item for item in order.items}
        water, milk = items[shop.products["water"]], items[shop.products["milk"]]
        assert (water.name_zh, water.name_en, water.unit_price_cents, water.quantity) == \
            ("矿泉水", "Mineral water", 300, 2)
        assert (milk.name_en, milk.unit_price_cents, milk.quantity, milk.merchant_id) == \
            ("Fresh milk", 1250, 1, shop.merchant_id)

        movements = db.session.execute(db.select(StockMovement.product_id, StockMovement.delta,
                                                 StockMovement.reason, StockMovement.order_id)).all()
        assert sorted(movements) == sorted([(shop.products["water"], -2, "sale", order_id),
                                            (shop.products["milk"], -1, "sale", order_id)])

        task = db.session.scalar(db.select(DeliveryTask))
        assert (task.order_id, task.kind, task.status, task.store_id) == \
            (order_id, "order", "open", shop.store_id)
        assert (task.dropoff_lat, task.dropoff_lon) == (order.lat, order.lon)
        assert task.promised_at == order.promised_at and now < task.ready_at < order.promised_at

        entry = db.session.scalar(db.select(WalletEntry).where(WalletEntry.reason == "payment"))
        assert (entry.amount_cents, entry.order_id) == (-CART_TOTAL, order_id)


def test_the_order_keeps_the_names_and_prices_it_was_placed_with(app, shop, shopper):
    order_id, _ = place(app, shopper)
    set_price(app, shop.products["water"], 999)
    with app.app_context(), transaction():
        db.session.get(Product, shop.products["water"]).name_en = "Sparkling water"
    with app.app_context():
        item = db.session.scalar(db.select(OrderItem).where(OrderItem.product_id == shop.products["water"]))
        assert (item.name_en, item.unit_price_cents) == ("Mineral water", 300)
        assert db.session.get(Order, order_id).total_cents == CART_TOTAL


def test_cash_on_delivery_leaves_the_wallet_alone(app, shop, shopper):
    order_id, created = place(app, shopper, payment_method="cash")
    assert created
    after = state(app, shop, shopper)
    assert after["balance"] == after["ledger"] == 10_000
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order_rules.amount_due_cents(order) == CART_TOTAL


# ---- idempotency -------------------------------------------------------------------------------

def test_a_replayed_key_returns_the_first_order_and_changes_nothing(app, shop, shopper):
    first_id, created = place(app, shopper)
    assert created
    with app.app_context():  # the resident fills the cart again; a replay must not order it
        fill_cart(shopper.user_id, {shop.products["noodles"]: 3})
    before = state(app, shop, shopper)

    replay_id, created = place(app, shopper, payment_method="cash")

    assert (replay_id, created) == (first_id, False)
    assert_nothing_changed(app, shop, shopper, before)
    assert before["counts"]["Order"] == 1


def test_a_new_key_makes_a_second_order(app, shop, shopper):
    place(app, shopper)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["noodles"]: 3})
    second_id, created = place(app, shopper, key=OTHER_KEY)
    assert created
    assert state(app, shop, shopper)["counts"]["Order"] == 2


@pytest.mark.parametrize("key", ["", None, "short", "has spaces in it", "x" * 65, "semi;colon-key"])
def test_a_malformed_key_is_refused(app, shop, shopper, key):
    before = state(app, shop, shopper)
    with pytest.raises(errors.IdempotencyConflict):
        place(app, shopper, key=key)
    assert_nothing_changed(app, shop, shopper, before)


# ---- refusals that change nothing ----------------------------------------------------------------

def test_sold_out_between_the_page_and_the_payment_changes_nothing(app, shop, shopper, monkeypatch):
    """Another checkout takes the last milk after this one checked the cart (and claimed its key):
    the conditional UPDATE refuses, and the order row and the water already taken (lower id, taken
    first) go back with the rollback. On SQLite this needs a real BEGIN before the claim's SAVEPOINT,
    or the SAVEPOINT's RELEASE commits the order row on its own."""
    assert shop.products["water"] < shop.products["milk"]
    real_take_stock = checkout.take_stock

    def competitor_buys_the_milk(*args, **kwargs):
        db.session.execute(db.update(Product).where(Product.id == shop.products["milk"]).values(stock=0))
        return real_take_stock(*args, **kwargs)

    monkeypatch.setattr(checkout, "take_stock", competitor_buys_the_milk)
    before = state(app, shop, shopper)

    with pytest.raises(catalogue_errors.OutOfStock) as refused:
        place(app, shopper)

    assert refused.value.status == 409 and "鲜牛奶" in str(refused.value.message)
    assert before["counts"]["Order"] == 0 and before["stock"]["water"] == 20
    assert_nothing_changed(app, shop, shopper, before)


@pytest.mark.parametrize("stock", [0, 1])
def test_stock_short_when_paying_is_a_changed_cart(app, shop, shopper, stock):
    with app.app_context(), transaction():
        db.session.execute(db.update(Product).where(Product.id == shop.products["water"]).values(stock=stock))
    before = state(app, shop, shopper)
    with pytest.raises(errors.CartChanged):
        place(app, shopper)
    assert_nothing_changed(app, shop, shopper, before)


def test_an_inactive_product_is_a_changed_cart(app, shop, shopper):
    with app.app_context(), transaction():
        db.session.get(Product, shop.products["milk"]).is_active = False
    before = state(app, shop, shopper)
    with pytest.raises(errors.CartChanged):
        place(app, shopper)
    assert_nothing_changed(app, shop, shopper, before)


def test_a_price_change_since_the_page_refuses_until_acknowledged(app, shop, shopper):
    set_price(app, shop.products["milk"], 1350)
    before = state(app, shop, shopper)
    with pytest.raises(errors.CartChanged):
        place(app, shopper)
    assert_nothing_changed(app, shop, shopper, before)

    with app.app_context(), transaction():
        acknowledge_changes(db.session.get(User, shopper.user_id))
    order_id, created = place(app, shopper, expected_total_cents=CART_TOTAL + 100)
    assert created
    with app.app_context():
        assert db.session.get(Order, order_id).total_cents == CART_TOTAL + 100


@pytest.mark.parametrize("expected", [CART_TOTAL - 1, CART_TOTAL + 100, 0])
def test_an_expected_total_that_does_not_match_is_a_changed_cart(app, shop, shopper, expected):
    before = state(app, shop, shopper)
    with pytest.raises(errors.CartChanged):
        place(app, shopper, expected_total_cents=expected)
    assert_nothing_changed(app, shop, shopper, before)


def test_below_the_zone_minimum(app, create_shop, create_shopper):
    shop = create_shop(minimum_cents=2000)
    person = create_shopper(shop)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 2})
    before = state(app, shop, person)
    with pytest.raises(errors.BelowMinimum) as refused:
        place(app, person)
    with app.test_request_context():
        assert "¥20.00" in str(refused.value.message)
    assert_nothing_changed(app, shop, person, before)
    with app.app_context():  # exactly the minimum is enough
        fill_cart(person.user_id, {shop.products["noodles"]: 1, shop.products["milk"]: 1})
    assert place(app, person)[1]


def test_an_empty_cart(app, shop, create_shopper):
    person = create_shopper(shop)
    with pytest.raises(errors.EmptyCart):
        place(app, person)


def test_an_address_that_is_not_the_residents_own(app, shop, shopper, create_shopper):
    neighbour = create_shopper(shop)
    before = state(app, shop, shopper)
    for address_id in (neighbour.address_id, None, 0, 99_999):
        with pytest.raises(errors.AddressMissing):
            place(app, shopper, address_id=address_id)
    assert_nothing_changed(app, shop, shopper, before)


@pytest.mark.parametrize("method", ["", None, "bitcoin", "WALLET"])
def test_an_unknown_payment_method(app, shop, shopper, method):
    before = state(app, shop, shopper)
    with pytest.raises(errors.PaymentInvalid):
        place(app, shopper, payment_method=method)
    assert_nothing_changed(app, shop, shopper, before)


def test_not_enough_in_the_wallet_changes_nothing(app, shop, create_shopper):
    person = create_shopper(shop, balance_cents=CART_TOTAL - 1)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 2, shop.products["milk"]: 1})
    before = state(app, shop, person)
    with pytest.raises(InsufficientFunds):
        place(app, person)
    assert_nothing_changed(app, shop, person, before)  # the stock taken before the debit went back too


def test_after_a_refused_payment_the_same_page_can_pay_cash(app, shop, create_shopper):
    """The checkout page keeps its idempotency key when it comes back with "not enough in the wallet";
    choosing cash on the same page must place the order, not find a ghost of the refused one."""
    person = create_shopper(shop, balance_cents=CART_TOTAL - 1)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 2, shop.products["milk"]: 1})
    with pytest.raises(InsufficientFunds):
        place(app, person)
    order_id, created = place(app, person, payment_method="cash")
    assert created
    with app.app_context():
        assert len(db.session.get(Order, order_id).items) == 2
    assert state(app, shop, person)["stock"]["water"] == 18


def test_no_wallet_at_all(app, shop, create_shopper):
    person = create_shopper(shop, balance_cents=0)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 1})
        assert db.session.get(Wallet, person.user_id) is None
    with pytest.raises(InsufficientFunds):
        place(app, person)


# ---- where and when we deliver -----------------------------------------------------------------

def test_outside_every_zone(app, shop, create_shopper):
    person = create_shopper(shop, building_id=shop.outside_building_id)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 1})
    before = state(app, shop, person)
    with pytest.raises(errors.NotDeliverable) as refused:
        place(app, person)
    assert refused.value.reason == delivery_rules.OUTSIDE_ZONE and refused.value.status == 409
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "outside the area we deliver to" in str(refused.value.message)
    # No slot helps outside the zone.
    with pytest.raises(errors.SlotInvalid):
        in_two_hours = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
        place(app, person, scheduled_for=in_two_hours)
    assert_nothing_changed(app, shop, person, before)


def test_no_courier_on_shift(app, create_shop, create_shopper):
    shop = create_shop(couriers=0)
    person = create_shopper(shop)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 1})
    before = state(app, shop, person)
    with pytest.raises(errors.NotDeliverable) as refused:
        place(app, person)
    assert refused.value.reason == delivery_rules.NO_COURIER
    assert_nothing_changed(app, shop, person, before)


def test_a_shift_past_its_planned_end_does_not_count(app, create_shop, create_shopper):
    shop = create_shop(now=utcnow() - timedelta(hours=13))
    person = create_shopper(shop)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 1})
    with pytest.raises(errors.NotDeliverable) as refused:
        place(app, person)
    assert refused.value.reason == delivery_rules.NO_COURIER


# A Wednesday, 23:00 in Shanghai: the store below is open 09:00-21:00.
LATE = datetime(2024, 1, 3, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)


@pytest.fixture
def closed_shop(app, create_shop, create_shopper):
    shop = create_shop(hours=[(d, 9 * 60, 21 * 60) for d in range(7)], now=LATE)
    person = create_shopper(shop)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["water"]: 2})
    return shop, person


def test_store_closed_now_refuses_asap_and_offers_tomorrows_slots(app, closed_shop):
    shop, person = closed_shop
    before = state(app, shop, person)
    with pytest.raises(errors.NotDeliverable) as refused:
        place(app, person, now=LATE)
    assert refused.value.reason == delivery_rules.STORE_CLOSED
    assert_nothing_changed(app, shop, person, before)

    with app.app_context():
        user = db.session.get(User, person.user_id)
        _, quote, slots, _ = checkout.checkout_options(user, user.default_address(), LATE)
    assert not quote.deliverable and quote.reason == delivery_rules.STORE_CLOSED
    assert [s.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%d %H:%M") for s in slots] == \
        ["04 09:00", "04 09:30", "04 10:00", "04 10:30"]


def test_a_scheduled_slot_works_while_the_store_is_closed(app, closed_shop):
    shop, person = closed_shop
    with app.app_context():
        user = db.session.get(User, person.user_id)
        slot = checkout.checkout_options(user, user.default_address(), LATE)[2][1]

    order_id, created = place(app, person, now=LATE, scheduled_for=slot)

    assert created
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.scheduled_for == slot and order.promised_at == slot + timedelta(minutes=30)
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        assert slot < task.ready_at < order.promised_at
    assert state(app, shop, person)["stock"]["water"] == 18


@pytest.mark.parametrize("offset", [timedelta(minutes=7), timedelta(days=-1), timedelta(days=30),
                                    timedelta(0)])
def test_a_slot_that_was_not_offered_is_refused(app, closed_shop, offset):
    shop, person = closed_shop
    with app.app_context():
        user = db.session.get(User, person.user_id)
        first = checkout.checkout_options(user, user.default_address(), LATE)[2][0]
    before = state(app, shop, person)
    bogus = first + offset if offset else LATE  # off the grid, in the past, too far, "now"
    with pytest.raises(errors.SlotInvalid):
        place(app, person, now=LATE, scheduled_for=bogus)
    assert_nothing_changed(app, shop, person, before)


def test_no_slot_is_offered_while_asap_delivery_is_possible(app, shop, shopper):
    with app.app_context():
        user = db.session.get(User, shopper.user_id)
        _, quote, slots, _ = checkout.checkout_options(user, user.default_address(), utcnow())
    assert quote.deliverable and slots == []
    with pytest.raises(errors.SlotInvalid):
        place(app, shopper, scheduled_for=utcnow().replace(second=0, microsecond=0) + timedelta(hours=3))


# ---- cancelling ------------------------------------------------------------------------------

@pytest.mark.parametrize("steps", [[], [OrderStatus.ACCEPTED]])
def test_resident_cancels_before_picking_refunded_and_restocked(app, shop, shopper, steps):
    order_id, _ = place(app, shopper)
    with app.app_context(), transaction():
        order = db.session.get(Order, order_id)
        for target in steps:
            moves.move(order, target, actor_id=None, now=utcnow())

    with app.app_context(), transaction():
        settlement.cancel_by_resident(db.session.get(User, shopper.user_id), order_id, utcnow())

    after = state(app, shop, shopper)
    assert after["stock"] == {"water": 20, "noodles": 20, "milk": 20}
    assert after["balance"] == after["ledger"] == 10_000
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "cancelled" and order.cancelled_at is not None
        assert order.refunded_cents == order.total_cents == CART_TOTAL
        refunds = db.session.scalars(db.select(WalletEntry.amount_cents)
                                     .where(WalletEntry.reason == "refund")).all()
        assert refunds == [CART_TOTAL]
        restocked = db.session.execute(db.select(StockMovement.product_id, StockMovement.delta)
                                       .where(StockMovement.reason == "cancel")).all()
        assert sorted(restocked) == sorted([(shop.products["water"], 2), (shop.products["milk"], 1)])
        assert db.session.scalar(db.select(DeliveryTask.status)) == "cancelled"
        assert [e.status for e in order.events][-1] == "cancelled"


def test_cancelling_a_cash_order_refunds_nothing_to_the_wallet(app, shop, shopper):
    order_id, _ = place(app, shopper, payment_method="cash")
    with app.app_context(), transaction():
        settlement.cancel_by_resident(db.session.get(User, shopper.user_id), order_id, utcnow())
    after = state(app, shop, shopper)
    assert after["balance"] == after["ledger"] == 10_000 and after["counts"]["WalletEntry"] == 1  # the top-up
    assert after["stock"]["water"] == 20
    with app.app_context():
        assert order_rules.amount_due_cents(db.session.get(Order, order_id)) == 0


@pytest.mark.parametrize("steps", [
    [OrderStatus.ACCEPTED, OrderStatus.PICKING],
    [OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY],
    [OrderStatus.CANCELLED],
])
def test_no_resident_cancel_once_picking_started(app, shop, shopper, steps):
    order_id, _ = place(app, shopper)
    with app.app_context(), transaction():
        order = db.session.get(Order, order_id)
        for target in steps:
            moves.move(order, target, actor_id=None, now=utcnow())
    before = state(app, shop, shopper)
    with pytest.raises(fulfilment_errors.NotCancellable):
        with app.app_context(), transaction():
            settlement.cancel_by_resident(db.session.get(User, shopper.user_id), order_id, utcnow())
    assert_nothing_changed(app, shop, shopper, before)


def test_another_residents_order_is_missing(app, shop, shopper, create_shopper):
    order_id, _ = place(app, shopper)
    stranger = create_shopper(shop)
    before = state(app, shop, shopper)
    with pytest.raises(errors.OrderNotFound):
        with app.app_context(), transaction():
            settlement.cancel_by_resident(db.session.get(User, stranger.user_id), order_id, utcnow())
    assert_nothing_changed(app, shop, shopper, before)


def test_the_shop_builder_matches_the_products_it_was_given(app, shop):
    with app.app_context():
        names = db.session.execute(db.select(Product.name_zh, Product.name_en, Product.price_cents)
                                   .order_by(Product.id)).all()
    assert [tuple(row) for row in names] == list(SHOP_PRODUCTS.values())
