"""Booking slots under real concurrency on PostgreSQL: threads released together by a barrier, each
with its own app context (its own session and connection), calling ``booking.book`` (hold + confirm)
inside ``transaction()`` as the API does.

- twenty residents booking the same slot of a one-crew vendor: exactly one booking, nineteen clean
  ``SlotTaken`` (409) each offering the next free slots;
- with three crews: exactly three bookings, one per crew, and seventeen 409s;
- one booking sent ten times at once with its idempotency key: made and charged once.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from collections import Counter

import pytest

from services import booking
from services.booking_models import Booking
from services.errors import ServiceError, SlotTaken
from services.models import Offering
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.stores.models import Store
from store_app.wallet.operations import get_balance
from tests.booking_support import NOW, TOMORROW, at, build_market
from tests.concurrency.helpers import run_together
from tests.conftest import add_shopper

pytestmark = pytest.mark.postgres
POOL_SIZE = 25


def residents(market, count):
    return [add_shopper(market.shop, balance_cents=100_000) for _ in range(count)]


def book_in_thread(app, market, people, starts_at, keys=None):
    def work(i, barrier):
        person = people[i]
        with app.app_context():
            resident = db.session.get(User, person.user_id)
            offering = db.session.get(Offering, market.offering_id)
            store = db.session.get(Store, market.store_id)
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            try:
                with transaction():
                    made = booking.book(resident, offering, starts_at, store=store, address_id=person.address_id,
                                        description="", payment_method="wallet", now=NOW,
                                        idempotency_key=keys[i] if keys else f"race-key-{i:04d}")
                    return ("booked", made.id, made.crew_id)
            except SlotTaken as taken:
                return ("taken", len(taken.next_slots), taken.status)
            except ServiceError as refused:
                return ("refused", type(refused).__name__, refused.status)
    return work


def test_twenty_residents_one_crew_exactly_one_booking_and_nineteen_clean_409s(app):
    with app.app_context():
        market = build_market(crews=1)
        people = residents(market, 20)
    results = run_together(20, book_in_thread(app, market, people, at(TOMORROW, 10)))
    assert not [r for r in results if not isinstance(r, tuple)], results
    kinds = Counter(r[0] for r in results)
    assert kinds == {"booked": 1, "taken": 19}, results
    assert all(r[1] > 0 and r[2] == 409 for r in results if r[0] == "taken")
    with app.app_context():
        live = db.session.scalars(db.select(Booking).where(Booking.status == "requested")).all()
        assert len(live) == 1
        assert sum(get_balance(p.user_id) for p in people) == 20 * 100_000 - 20000


def test_twenty_residents_three_crews_exactly_three_bookings_one_per_crew(app):
    with app.app_context():
        market = build_market(crews=3)
        people = residents(market, 20)
    results = run_together(20, book_in_thread(app, market, people, at(TOMORROW, 10)))
    assert Counter(r[0] for r in results) == {"booked": 3, "taken": 17}, results
    assert sorted(r[2] for r in results if r[0] == "booked") == market.crew_ids


def test_one_booking_sent_ten_times_at_once_is_made_and_charged_once(app):
    with app.app_context():
        market = build_market(crews=3)
        person = residents(market, 1)[0]
    results = run_together(10, book_in_thread(app, market, [person] * 10, at(TOMORROW, 10), keys=["same-key-01"] * 10))
    assert not [r for r in results if not isinstance(r, tuple)], results
    booked = {r[1] for r in results if r[0] == "booked"}
    assert len(booked) == 1, results
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Booking.id))) == 1
        assert get_balance(person.user_id) == 100_000 - 20000
