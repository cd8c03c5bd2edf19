"""Checkout under real concurrency on PostgreSQL: threads released together by a barrier, each with its
own app context (so its own session and connection), racing for the last units, for two products
taken in opposite orders, and with one idempotency key submitted twenty times.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import DBAPIError

from store_app.accounts.models import User
from store_app.catalogue.models import Product, StockMovement
from store_app.database import transaction, utcnow
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.orders import checkout, errors
from store_app.orders.models import Order, OrderItem
from store_app.wallet.models import Wallet, WalletEntry
from store_app.catalogue import errors as catalogue_errors
from tests.conftest import AuthActions, add_shopper, build_shop, fill_cart

pytestmark = pytest.mark.postgres
POOL_SIZE = 60  # a connection for every thread at once (tests/concurrency/conftest.py)

BALANCE = 100_000
WATER = {"water": ("矿泉水", "Mineral water", 300)}
TWO = {"a": ("苹果", "Apples", 500), "b": ("香蕉", "Bananas", 400)}
# Sold out: lost at the stock UPDATE, or already gone when the cart was read.
SOLD_OUT = (catalogue_errors.OutOfStock, errors.CartChanged)


def run_together(count, work):
    """Run ``work(i, barrier)`` in ``count`` threads; each waits on the barrier before its critical part.
    Returns the results in order; an unexpected exception comes back as ``("error", exc)``."""
    barrier = threading.Barrier(count, timeout=30)

    def guarded(i):
        try:
            return work(i, barrier)
        except Exception as exc:  # noqa: BLE001 -- reported by the test, with every other thread's result
            return ("error", exc)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(guarded, range(count)))


def checkout_in_thread(app, person, key):
    """``work`` for ``run_together``: one resident's checkout through the operation, as the view runs it."""
    def work(_i, barrier):
        with app.app_context():
            user = db.session.get(User, person.user_id)
            address_id = person.address_id
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            try:
                with transaction():
                    order, created = checkout.place_order(user, address_id=address_id, idempotency_key=key,
                                                            payment_method="wallet", now=utcnow())
                    return ("order", order.id, created)
            except SOLD_OUT as exc:
                return ("sold_out", type(exc).__name__)
            except errors.IdempotencyConflict:
                return ("conflict",)
    return work


def unexpected(results):
    return [r[1] for r in results if r[0] == "error"]


def table(app, model, *columns):
    with app.app_context():
        return db.session.execute(db.select(*columns)).all() if columns else \
            db.session.scalars(db.select(model)).all()


def assert_ledgers_balance(app):
    """Every wallet's balance is the sum of its ledger, and never below zero."""
    with app.app_context():
        sums = dict(db.session.execute(db.select(WalletEntry.user_id, db.func.sum(WalletEntry.amount_cents))
                                       .group_by(WalletEntry.user_id)).all())
        balances = dict(db.session.execute(db.select(Wallet.user_id, Wallet.balance_cents)).all())
    assert sums == balances
    assert all(b >= 0 for b in balances.values())


def stock(app, product_id):
    with app.app_context():
        return db.session.get(Product, product_id).stock


def shoppers(app, shop, count, carts):
    """``count`` funded residents; resident ``i`` gets cart ``carts(i)`` ({product_id: qty}, in add order).
    Made by a few threads at once: setting up is not what these tests measure."""
    def make(i):
        with app.app_context():
            person = add_shopper(shop, balance_cents=BALANCE)
            fill_cart(person.user_id, carts(i))
            return person

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(make, range(count)))


def browsers(app, people):
    """A logged-in test client per resident, with the checkout page's form: ``[(client, form)]``."""
    def open_checkout(person):
        client = app.test_client()
        assert AuthActions(client).login(person.phone).status_code == 302
        page = client.get("/checkout")
        assert page.status_code == 200
        return client, checkout_form(page)

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(open_checkout, people))


def checkout_form(page):
    """The fields of the checkout page's form, as the browser would post them."""
    text = page.get_data(as_text=True)

    def hidden(name):
        return re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % name, text).group(1)

    address = re.search(r'<option[^>]*selected[^>]*value="(\d+)"'
                        r'|<option[^>]*value="(\d+)"[^>]*selected', text)
    return {"csrf_token": hidden("csrf_token"), "idempotency_key": hidden("idempotency_key"),
            "expected_total_cents": hidden("expected_total_cents"),
            "address_id": next(g for g in address.groups() if g), "payment_method": "wallet", "note": ""}


# ---- (a) fifty residents, ten units --------------------------------------------------------------

def test_fifty_checkouts_for_the_last_ten_units(app):
    with app.app_context():
        shop = build_shop(stock=10, products=WATER, couriers=20)
    water = shop.products["water"]
    people = shoppers(app, shop, 50, lambda i: {water: 1})

    works = [checkout_in_thread(app, p, f"race-a-{i:04d}") for i, p in enumerate(people)]
    results = run_together(50, lambda i, barrier: works[i](i, barrier))

    assert unexpected(results) == []
    kinds = Counter(r[0] for r in results)
    assert kinds == {"order": 10, "sold_out": 40}, kinds
    assert all(r[2] for r in results if r[0] == "order")
    assert stock(app, water) == 0
    assert len(table(app, Order)) == 10  # no ghost order from a loser
    assert sum(q for (q,) in table(app, None, OrderItem.quantity)) == 10
    assert len(table(app, StockMovement)) == 10 and len(table(app, DeliveryTask)) == 10
    winners = {r[1] for r in results if r[0] == "order"}
    assert {o.id for o in table(app, Order)} == winners
    assert_ledgers_balance(app)
    payments = table(app, None, WalletEntry.amount_cents, WalletEntry.reason)
    assert Counter(payments) == {(BALANCE, "topup"): 50, (-(300 + 500), "payment"): 10}


def test_fifty_browsers_for_the_last_ten_units(app):
    """The same race through the web: ten redirects to an order page, forty clean 409s, no 5xx."""
    with app.app_context():
        shop = build_shop(stock=10, products=WATER, couriers=20)
    water = shop.products["water"]
    people = shoppers(app, shop, 50, lambda i: {water: 1})
    forms = browsers(app, people)

    def work(i, barrier):
        client, form = forms[i]
        barrier.wait()
        response = client.post("/checkout", data=form)
        return (response.status_code, response.headers.get("Location"))

    results = run_together(50, work)

    assert unexpected(results) == []
    statuses = Counter(status for status, _ in results)
    assert statuses == {303: 10, 409: 40}, statuses
    assert all(location.startswith("/orders/") for status, location in results if status == 303)
    assert stock(app, water) == 0 and len(table(app, Order)) == 10
    assert_ledgers_balance(app)


# ---- (b) two products taken in opposite orders ----------------------------------------------------

def test_two_products_in_opposite_orders_never_deadlock_or_oversell(app):
    initial = 45
    with app.app_context():
        shop = build_shop(stock=initial, products=TWO, couriers=40)
    a, b = shop.products["a"], shop.products["b"]

    def cart(i):  # half add A first, half B first; 1-3 of each, so the stock runs out part way
        first, second = (a, b) if i % 2 else (b, a)
        return {first: 1 + i % 3, second: 1 + (i // 2) % 3}

    people = shoppers(app, shop, 40, cart)
    works = [checkout_in_thread(app, p, f"race-b-{i:04d}") for i, p in enumerate(people)]
    results = run_together(40, lambda i, barrier: works[i](i, barrier))

    errors_seen = unexpected(results)
    deadlocks = [e for e in errors_seen if isinstance(e, DBAPIError) and "deadlock" in str(e).lower()]
    assert deadlocks == [] and errors_seen == []
    orders = [r for r in results if r[0] == "order"]
    assert orders and len(orders) < 40  # the stock really ran out part way
    with app.app_context():
        sold = dict(db.session.execute(db.select(OrderItem.product_id, db.func.sum(OrderItem.quantity))
                                       .group_by(OrderItem.product_id)).all())
        moved = dict(db.session.execute(db.select(StockMovement.product_id, db.func.sum(StockMovement.delta))
                                        .group_by(StockMovement.product_id)).all())
    for product_id in (a, b):
        remaining = stock(app, product_id)
        assert remaining >= 0
        assert sold.get(product_id, 0) + remaining == initial
        assert -moved.get(product_id, 0) == sold.get(product_id, 0)
    assert len(table(app, Order)) == len(orders)
    assert_ledgers_balance(app)


# ---- (c) one resident, one key, twenty taps ----------------------------------------------------

def test_twenty_submits_with_one_key_make_one_order(app):
    with app.app_context():
        shop = build_shop(stock=10, products=WATER, couriers=5)
    water = shop.products["water"]
    person = shoppers(app, shop, 1, lambda i: {water: 2})[0]

    results = run_together(20, checkout_in_thread(app, person, "one-key-for-all-20"))

    assert unexpected(results) == []
    orders = table(app, Order)
    assert len(orders) == 1
    odd = [r for r in results if r[0] != "conflict" and r[:2] != ("order", orders[0].id)]
    assert odd == [], Counter(results)
    assert sum(1 for r in results if r[0] == "order" and r[2]) == 1
    assert stock(app, water) == 8
    with app.app_context():
        assert db.session.get(Wallet, person.user_id).balance_cents == BALANCE - (2 * 300 + 500)
        payments = db.select(db.func.count(WalletEntry.id)).where(WalletEntry.reason == "payment")
        assert db.session.scalar(payments) == 1
    assert_ledgers_balance(app)


def test_twenty_taps_in_the_browser_all_land_on_one_order_page(app):
    with app.app_context():
        shop = build_shop(stock=10, products=WATER, couriers=5)
    water = shop.products["water"]
    person = shoppers(app, shop, 1, lambda i: {water: 2})[0]
    tabs = browsers(app, [person] * 20)  # twenty sessions of one resident, all posting the first page's key
    key = tabs[0][1]["idempotency_key"]

    def work(i, barrier):
        client, form = tabs[i]
        barrier.wait()
        response = client.post("/checkout", data={**form, "idempotency_key": key})
        return (response.status_code, response.headers.get("Location"))

    results = run_together(20, work)

    assert unexpected(results) == []
    orders = table(app, Order)
    assert len(orders) == 1
    odd = [r for r in results if r != (303, f"/orders/{orders[0].id}") and r[0] != 409]
    assert odd == [], Counter(results)
    assert stock(app, water) == 8
    assert_ledgers_balance(app)


def test_a_late_tap_that_finds_the_cart_emptied_gets_the_first_order(app, monkeypatch):
    """The interleaving the twenty taps hit now and then, made certain: the late tap has looked up
    the key (nothing yet) and waits; the first tap places the order, empties the cart and commits;
    the late tap goes on, finds an empty cart, and must answer with the first order, not EmptyCart."""
    with app.app_context():
        shop = build_shop(stock=10, products=WATER, couriers=5)
    person = shoppers(app, shop, 1, lambda i: {shop.products["water"]: 2})[0]
    looked_up, first_committed = threading.Event(), threading.Event()
    real_options = checkout.checkout_options

    def options_after_the_first_tap(*args, **kwargs):
        if threading.current_thread().name == "late-tap":
            looked_up.set()
            assert first_committed.wait(10)
        return real_options(*args, **kwargs)

    monkeypatch.setattr(checkout, "checkout_options", options_after_the_first_tap)
    late_work = checkout_in_thread(app, person, "one-key-two-taps")
    late_result = []
    late = threading.Thread(name="late-tap",
                            target=lambda: late_result.append(late_work(0, threading.Barrier(1))))
    late.start()
    assert looked_up.wait(10)
    first = checkout_in_thread(app, person, "one-key-two-taps")(0, threading.Barrier(1))
    first_committed.set()
    late.join(10)

    assert first[0] == "order" and first[2]
    assert late_result == [("order", first[1], False)]
