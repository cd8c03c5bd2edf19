"""The no-double-booking exclusion constraint under real concurrency on PostgreSQL: twenty
connections inserting overlapping bookings for one crew at the same moment, by raw INSERTs that
bypass every operation, leave exactly one row; each other connection gets the exclusion violation
(an IntegrityError whose cause is psycopg's ``ExclusionViolation``), never a deadlock or any other
error.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from datetime import timedelta

import psycopg.errors
import pytest
from sqlalchemy.exc import IntegrityError

from services.booking_models import Booking
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from tests.concurrency.helpers import run_together
from tests.integration.test_service_booking_constraint import BLOCK, NINE, raw_insert
from tests.services_support import add_category, add_offering, add_vendor

pytestmark = pytest.mark.postgres
POOL_SIZE = 22
THREADS = 20


@pytest.fixture
def crews(app, create_store, create_user):
    store_id = create_store()
    resident_id, _ = create_user(store_id, Role.RESIDENT)
    with app.app_context(), transaction():
        category = add_category(store_id)
        vendor = add_vendor(store_id, [category], crews=2)
        offering = add_offering(vendor, category, duration_min=120, buffer_before_min=15, buffer_after_min=15)
        return {"store_id": store_id, "resident_id": resident_id, "category_id": category.id,
                "vendor_id": vendor.id, "offering_id": offering.id, "crews": [c.id for c in vendor.crews]}


def insert_at_barrier(app, ids, start_of):
    """The race's work: each thread waits at the barrier, then INSERTs its booking (block start
    ``start_of(i)``) in its own transaction; returns the new id, or the exception."""
    def work(i, barrier):
        with app.app_context():
            db.session.execute(db.select(1))  # the connection is open before the race starts
            db.session.commit()
            barrier.wait()
            return raw_insert(ids, start_of(i))
    return work


def check_only_exclusion_violations(outcomes):
    winners = [o for o in outcomes if isinstance(o, int)]
    losers = [o for o in outcomes if not isinstance(o, int)]
    assert len(winners) == 1, outcomes
    for loser in losers:
        assert isinstance(loser, IntegrityError), repr(loser)
        assert isinstance(loser.orig, psycopg.errors.ExclusionViolation), repr(loser.orig)
        assert "no_double_booking" in str(loser)
    return winners[0]


def stored(app):
    with app.app_context():
        return db.session.execute(db.select(Booking.id, Booking.crew_id, Booking.block_start_at)
                                  .order_by(Booking.id)).all()


def test_twenty_identical_bookings_of_one_crew_at_once_leave_one(app, crews):
    outcomes = run_together(THREADS, insert_at_barrier(app, crews, lambda i: NINE))
    winner = check_only_exclusion_violations(outcomes)
    assert [tuple(row) for row in stored(app)] == [(winner, crews["crews"][0], NINE)]


def test_twenty_bookings_each_overlapping_the_next_by_minutes_leave_one_row_per_free_time(app, crews):
    """Blocks five minutes apart: all overlap one another (a block is 150 minutes), so one survives."""
    outcomes = run_together(THREADS, insert_at_barrier(app, crews, lambda i: NINE + timedelta(minutes=5 * i)))
    winner = check_only_exclusion_violations(outcomes)
    rows = stored(app)
    assert [row.id for row in rows] == [winner]
    # The survivor's block overlaps every loser's: no two stored blocks of the crew overlap.
    assert NINE <= rows[0].block_start_at <= NINE + timedelta(minutes=5 * (THREADS - 1))


def test_touching_blocks_inserted_at_once_all_survive(app, crews):
    """The control: blocks end-to-start on one crew share no minute, so every INSERT is kept (the
    constraint refuses overlap, not concurrency)."""
    outcomes = run_together(10, insert_at_barrier(app, crews, lambda i: NINE + BLOCK * i))
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sorted(row.block_start_at for row in stored(app)) == [NINE + BLOCK * i for i in range(10)]
