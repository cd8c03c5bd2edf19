"""Reviews under races on PostgreSQL: threads released together, each with its own session. A double
tap (or two tabs) reviewing one purchase leaves exactly one review, the others a clean
``AlreadyReviewed`` (409); staff replying to, or hiding, one review at once: exactly one wins, the
others get a clean 409 and the winner's words stand.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.orders import errors, reviews
from store_app.orders.review_models import OrderReview, ProductReview
from store_app.roles import Role
from tests.concurrency.helpers import run_together
from tests.review_support import delivered_world

pytestmark = pytest.mark.postgres
THREADS = 10
POOL_SIZE = THREADS + 2


def _outcome(step):
    try:
        with transaction():
            step()
    except (errors.AlreadyReviewed, errors.AlreadyReplied, errors.AlreadyHidden) as exc:
        return exc.status
    finally:
        db.session.remove()
    return "done"


def test_one_purchase_is_reviewed_once(app):
    shop, shopper, _neighbour, order_id = delivered_world(app)

    def work(i, barrier):
        with app.app_context():
            user = db.session.get(User, shopper.user_id)
            barrier.wait()
            if i % 2:
                return _outcome(lambda: reviews.review_order(user, order_id, 1 + i % 5, f"tab {i}", utcnow()))
            return _outcome(lambda: reviews.review_product(user, order_id, shop.products["water"], 1 + i % 5,
                                                           f"tab {i}", utcnow()))

    outcomes = run_together(THREADS, work)
    assert sorted(map(str, outcomes)) == ["409"] * (THREADS - 2) + ["done", "done"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProductReview)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(OrderReview)) == 1


def test_staff_reply_and_hide_once(app):
    shop, shopper, _neighbour, order_id = delivered_world(app)
    with app.app_context(), transaction():
        review_id = reviews.review_product(db.session.get(User, shopper.user_id), order_id, shop.products["water"],
                                           1, "Warm", utcnow()).id
        staff = [User(store_id=shop.store_id, phone=f"+86138001{n:05d}", name=f"Staff {n}", role=Role.STAFF.value,
                      password_hash="x") for n in range(THREADS)]
        db.session.add_all(staff)
        db.session.flush()
        staff_ids = [s.id for s in staff]

    def work(i, barrier):
        with app.app_context():
            clerk = db.session.get(User, staff_ids[i])
            barrier.wait()
            if i % 2:
                return _outcome(lambda: reviews.reply_to_review(clerk, "product", review_id, f"Reply {i}", utcnow()))
            return _outcome(lambda: reviews.hide_review(clerk, "product", review_id, f"Reason {i}", utcnow()))

    outcomes = run_together(THREADS, work)
    assert sorted(map(str, outcomes)) == ["409"] * (THREADS - 2) + ["done", "done"]
    with app.app_context():
        review = db.session.get(ProductReview, review_id)
        assert review.reply_text.startswith("Reply ") and review.hidden_reason.startswith("Reason ")
        assert review.replied_by == staff_ids[int(review.reply_text.split()[1])]
        assert review.hidden_by == staff_ids[int(review.hidden_reason.split()[1])]
