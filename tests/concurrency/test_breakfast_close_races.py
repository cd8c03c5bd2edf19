"""Closing a breakfast day under real concurrency on PostgreSQL: ten staff closing one day at once
give one close (each order refunded once, each parent told once); the others get a clean 409.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
import pytest

from store_app.breakfast import day_admin, errors, operations
from store_app.breakfast.models import BreakfastOrder
from store_app.database import transaction
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet.operations import get_balance
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, evening_before
from tests.concurrency.helpers import run_together

pytestmark = pytest.mark.postgres
POOL_SIZE = 15
TUESDAY = SCHOOL_MONDAY.replace(day=11)


def test_ten_staff_closing_one_day_at_once_close_it_once(app, create_store, create_user):
    store_id = create_store()
    parent = create_user(store_id, Role.RESIDENT)[0]
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id)
        order = operations.place_order(store, parent, add_child(store_id, parent).id, TUESDAY, {milk.id: 1}, now)
        order.status, order.charged_cents = "paid", 300
        day_id = order.day_id

    def close(i, barrier):
        with app.app_context():
            barrier.wait()
            with transaction():
                day_admin.close_day(db.session.get(Store, store_id), day_id, f"Reason {i}", None, now)
            return "closed"

    outcomes = run_together(10, close)
    assert outcomes.count("closed") == 1
    assert all(isinstance(o, errors.DayNotOpen) and o.status == 409 for o in outcomes if o != "closed")
    with app.app_context():
        assert db.session.scalar(db.select(BreakfastOrder.status)) == "refunded"
        assert get_balance(parent) == 300
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1
