"""Staff stock adjustments under real concurrency on PostgreSQL: threads released together by a
barrier, each with its own app context (its own session and connection), all taking stock at once.
The conditional UPDATE lets exactly as many through as there is stock; the rest get a clean
``StockWouldGoNegative``; every success has its movement, and the stock never goes below zero.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from store_app.catalogue import errors, stock
from store_app.catalogue.models import Category, Merchant, Product, StockMovement
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.stores.models import Store
from tests.conftest import _reset_postgres

pytestmark = pytest.mark.postgres
THREADS = 24
POOL_SIZE = THREADS + 2  # a connection for every thread at once (tests/concurrency/conftest.py)


@pytest.fixture
def product(race_app):
    """``(store_id, product_id)`` of a product with 10 in stock, in empty tables."""
    with race_app.app_context():
        _reset_postgres()
        with transaction():
            store = Store(name="Race Store", lat=31.2, lon=121.4)
            db.session.add(store)
            db.session.flush()
            category = Category(store_id=store.id, slug="drinks", name_zh="饮料", name_en="Drinks")
            merchant = Merchant(store_id=store.id, name="Race Store", kind="store", lat=31.2, lon=121.4)
            db.session.add_all([category, merchant])
            db.session.flush()
            item = Product(store_id=store.id, category_id=category.id, merchant_id=merchant.id, name_zh="水",
                           name_en="Water", price_cents=200, stock=10)
            db.session.add(item)
            db.session.flush()
            return store.id, item.id


def adjust_together(app, store_id, product_id, deltas):
    """Every delta in its own thread, released at once; ``"ok"``, ``"refused"`` or the exception each."""
    barrier = threading.Barrier(len(deltas), timeout=30)

    def work(delta):
        with app.app_context():
            barrier.wait()
            try:
                with transaction():
                    stock.adjust_stock(store_id, product_id, delta, "damage" if delta < 0 else "restock",
                                       "race", None, utcnow())
            except errors.StockWouldGoNegative:
                return "refused"
            except Exception as exc:  # noqa: BLE001 -- shown by the assertion
                return exc
            return "ok"

    with ThreadPoolExecutor(max_workers=len(deltas)) as pool:
        return list(pool.map(work, deltas))


def final_state(app, product_id):
    with app.app_context():
        left = db.session.get(Product, product_id).stock
        moves = db.session.scalars(db.select(StockMovement.delta)
                                   .where(StockMovement.product_id == product_id)).all()
        return left, sorted(moves)


def test_many_counters_take_the_last_units_at_once(race_app, product):
    store_id, product_id = product
    results = adjust_together(race_app, store_id, product_id, [-1] * THREADS)
    assert sorted(map(str, results)) == ["ok"] * 10 + ["refused"] * (THREADS - 10)
    assert final_state(race_app, product_id) == (0, [-1] * 10)


def test_big_and_small_takes_never_go_below_zero(race_app, product):
    store_id, product_id = product
    deltas = [-3, -4, -1, -2, +5, -6, -1, -3] * 3
    results = adjust_together(race_app, store_id, product_id, deltas)
    assert all(r in ("ok", "refused") for r in results), results
    stock, moves = final_state(race_app, product_id)
    assert stock >= 0 and stock == 10 + sum(moves)
    assert len(moves) == results.count("ok")
    assert all(r == "ok" for d, r in zip(deltas, results) if d > 0)  # adding is never refused
