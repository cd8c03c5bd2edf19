"""Staff deciding one application at once on PostgreSQL: threads released together, each with its
own session, approving, asking for more and rejecting the same waiting vendor. The conditional
UPDATE lets exactly one decision through; the others get a clean ``VettingChanged`` (a 409), the
vendor is told once, and the approved vendor has exactly one first crew.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
import pytest

from services import vetting
from services.errors import VettingChanged
from services.models import Crew, Vendor
from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.roles import Role
from store_app.stores.models import Store
from tests.concurrency.helpers import run_together
from tests.vendor_support import apply_company, setup_store

pytestmark = pytest.mark.postgres
THREADS = 12
POOL_SIZE = THREADS + 2


@pytest.fixture
def waiting(app):
    """``(staff ids, vendor id)``: a waiting application and a dozen staff of its store."""
    with app.app_context(), transaction():
        store = Store(name="Race Store", lat=31.2, lon=121.4)
        db.session.add(store)
        db.session.flush()
        setup_store(store.id)
        staff = [User(store_id=store.id, phone=f"+86138000{n:05d}", name=f"Staff {n}", role=Role.STAFF.value,
                      password_hash="x") for n in range(THREADS)]
        db.session.add_all(staff)
        db.session.flush()
        return [s.id for s in staff], apply_company(store.id).id


def test_one_decision_wins_and_the_others_get_a_clean_conflict(app, waiting):
    staff_ids, vendor_id = waiting
    decisions = (vetting.approve, vetting.ask_for_more, vetting.reject)

    def work(i, barrier):
        with app.app_context():
            barrier.wait()
            try:
                with transaction():
                    staff = db.session.get(User, staff_ids[i])
                    decide = decisions[i % 3]
                    # Every one of them saw the application as applied on their page.
                    if decide is vetting.approve:
                        decide(staff, vendor_id, utcnow(), seen="applied")
                    else:
                        decide(staff, vendor_id, f"note {i}", utcnow(), seen="applied")
            except VettingChanged:
                return "conflict"
            finally:
                db.session.remove()
            return "decided"

    results = run_together(THREADS, work)
    assert sorted(map(str, results)) == ["conflict"] * (THREADS - 1) + ["decided"], results
    with app.app_context():
        vendor = db.session.get(Vendor, vendor_id)
        told = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == vendor.owner_id)).all()
        crews = db.session.scalar(db.select(db.func.count()).select_from(Crew).where(Crew.vendor_id == vendor_id))
        assert told == [{"approved": "vendor_approved", "more_info": "vendor_more_info",
                         "rejected": "vendor_rejected"}[vendor.vetting]]
        assert crews == (1 if vendor.vetting == "approved" else 0)
