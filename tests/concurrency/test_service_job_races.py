"""Job acceptance under real concurrency on PostgreSQL: ten vendors accepting one re-offered job at
the same moment give it to exactly one of them; the other nine get a clean 409 and the job keeps
one crew.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from datetime import timedelta

import pytest

from services import offers, reoffers
from services.booking_models import BookingOffer
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from tests.concurrency.helpers import run_together
from tests.jobs_support import BOOKED_AT, build_market

pytestmark = pytest.mark.postgres
POOL_SIZE = 15


def test_ten_vendors_accepting_one_reoffered_job_give_it_to_one(app, create_store, create_user):
    store_id = create_store()
    resident_id, _ = create_user(store_id, Role.RESIDENT)
    market = build_market(app, store_id, resident_id, vendors=11)
    now = BOOKED_AT + timedelta(minutes=2)
    with app.app_context():
        with transaction():
            reoffers.decline_job(market.vendor_user(0), market.booking_id, now)
        assert market.booking().status == "reoffered"

    def work(i, barrier):
        with app.app_context():
            vendor = market.vendor_user(i + 1)
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            with transaction():
                return offers.accept_job(vendor, market.booking_id, now + timedelta(minutes=1)).vendor_id

    results = run_together(10, work)
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1, results
    assert all(getattr(r, "status", None) == 409 for r in results if not isinstance(r, int)), results
    with app.app_context():
        booking = market.booking()
        assert (booking.status, booking.vendor_id) == ("accepted", winners[0])
        states = [o.state for o in db.session.scalars(db.select(BookingOffer)
                                                      .where(BookingOffer.booking_id == booking.id))]
        assert sorted(states).count("accepted") == 1 and states.count("offered") == 0
