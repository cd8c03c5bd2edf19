"""Reviews of goods and orders on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set): only a verified purchase is reviewed, once; staff hide (with a reason), show again and reply
once; hidden reviews leave the product's average; text is cleaned of every tag."""
import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.orders import errors, review_queries, reviews
from store_app.orders.review_models import OrderReview, ProductReview
from store_app.roles import Role
from tests.conftest import add_shopper, build_shop, new_phone
from tests.review_support import buy_and_receive, delivered_world, set_status


@pytest.fixture
def world(app):
    return delivered_world(app)


def _user(user_id):
    return db.session.get(User, user_id)


def _staff(store_id):
    with transaction():
        staff = User(store_id=store_id, phone=new_phone(), name="Clerk", role=Role.STAFF.value, password_hash="x")
        db.session.add(staff)
        db.session.flush()
        return staff.id


def review(user_id, order_id, product_id, rating=5, text=""):
    with transaction():
        return reviews.review_product(_user(user_id), order_id, product_id, rating, text, utcnow()).id


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_delivered_order_is_reviewed_once_per_product_and_once_as_a_whole(app, world):
    shop, shopper, _neighbour, order_id = world
    with app.app_context():
        review_id = review(shopper.user_id, order_id, shop.products["water"], 4, "Cold and <b>fresh</b>")
        saved = db.session.get(ProductReview, review_id)
        assert (saved.rating, saved.text, saved.store_id, saved.hidden_at) == (4, "Cold and fresh", shop.store_id, None)
        with pytest.raises(errors.AlreadyReviewed) as refused:
            review(shopper.user_id, order_id, shop.products["water"], 1)
        assert refused.value.status == 409
        review(shopper.user_id, order_id, shop.products["milk"], 3)  # another product of the same order
        with transaction():
            reviews.review_order(_user(shopper.user_id), order_id, 5, "", utcnow(), delivery_rating=4)
        with pytest.raises(errors.AlreadyReviewed), transaction():
            reviews.review_order(_user(shopper.user_id), order_id, 2, "again", utcnow())
        assert count(ProductReview) == 2 and count(OrderReview) == 1
        done = review_queries.reviews_of_order(shopper.user_id, order_id)
        assert done.order_review.delivery_rating == 4 and set(done.products) == {shop.products["water"],
                                                                                 shop.products["milk"]}


@pytest.mark.parametrize("status", ["placed", "accepted", "picking", "picked_up", "cancelled", "failed"])
def test_an_order_that_did_not_arrive_is_not_reviewable(app, status):
    shop, shopper, _neighbour, order_id = delivered_world(app, status)
    with app.app_context():
        with pytest.raises(errors.NotReviewable) as refused:
            review(shopper.user_id, order_id, shop.products["water"])
        assert refused.value.status == 409
        with pytest.raises(errors.NotReviewable), transaction():
            reviews.review_order(_user(shopper.user_id), order_id, 5, "", utcnow())
        assert count(ProductReview) == count(OrderReview) == 0


def test_a_collected_pickup_order_is_reviewable_without_a_delivery_rating(app):
    shop, shopper, _neighbour, order_id = delivered_world(app, "placed")
    with app.app_context():
        set_status(order_id, "collected", pickup=True)
        with transaction():
            saved = reviews.review_order(_user(shopper.user_id), order_id, 4, "", utcnow(), delivery_rating=5)
            assert saved.delivery_rating is None
        review(shopper.user_id, order_id, shop.products["milk"], 5)


def test_someone_elses_order_is_missing_like_one_that_does_not_exist(app, world):
    shop, _shopper, neighbour, order_id = world
    with app.app_context():
        for target in (order_id, 999_999):
            with pytest.raises(errors.OrderNotFound) as refused:
                review(neighbour.user_id, target, shop.products["water"])
            assert refused.value.status == 404
            with pytest.raises(errors.OrderNotFound), transaction():
                reviews.review_order(_user(neighbour.user_id), target, 5, "", utcnow())
        assert count(ProductReview) == 0


def test_a_product_that_was_not_in_the_order_is_refused(app, world):
    shop, shopper, _neighbour, order_id = world
    with app.app_context():
        with pytest.raises(errors.ProductNotInOrder) as refused:
            review(shopper.user_id, order_id, shop.products["noodles"])
        assert 400 <= refused.value.status < 500
        assert count(ProductReview) == 0


@pytest.mark.parametrize("rating", [0, 6, -1, None, "5", 4.5, True])
def test_a_rating_outside_one_to_five_is_refused_on_its_field(app, world, rating):
    shop, shopper, _neighbour, order_id = world
    with app.app_context():
        with pytest.raises(errors.RatingInvalid) as refused:
            review(shopper.user_id, order_id, shop.products["water"], rating)
        assert refused.value.field == "rating" and refused.value.status == 400
        with pytest.raises(errors.DeliveryRatingInvalid), transaction():
            reviews.review_order(_user(shopper.user_id), order_id, 5, "", utcnow(),
                                 delivery_rating=rating if rating is not None else 9)
        assert count(ProductReview) == count(OrderReview) == 0


def test_text_is_cleaned_and_limited(app, world):
    shop, shopper, _neighbour, order_id = world
    with app.app_context():
        with pytest.raises(errors.ReviewTextTooLong) as refused:
            review(shopper.user_id, order_id, shop.products["water"], 5, "x" * 1001)
        assert refused.value.field == "text"
        script = '<script>alert("x")</script><img src=x onerror=alert(1)>Good <a href="javascript:x">milk</a>'
        saved = db.session.get(ProductReview, review(shopper.user_id, order_id, shop.products["milk"], 5, script))
        assert saved.text == "Good milk"
        rating_only = review(shopper.user_id, order_id, shop.products["water"], 3, "   ")
        assert db.session.get(ProductReview, rating_only).text == ""


def _five_reviews(app, shop, first_order, first_shopper, ratings):
    """The first shopper's review plus one each by new residents who bought the water: review ids."""
    ids = [review(first_shopper.user_id, first_order, shop.products["water"], ratings[0])]
    for rating in ratings[1:]:
        buyer = add_shopper(shop)
        ids.append(review(buyer.user_id, buy_and_receive(buyer, shop.products["water"]), shop.products["water"],
                          rating))
    return ids


def test_the_average_shows_from_five_visible_reviews_and_hidden_ones_leave_it(app, world):
    shop, shopper, _neighbour, order_id = world
    water = shop.products["water"]
    with app.app_context():
        ids = _five_reviews(app, shop, order_id, shopper, [5, 4, 4, 4, 1])
        assert review_queries.rating_summary(water) == review_queries.rules.RatingSummary(5, 3.6)
        staff = _user(_staff(shop.store_id))
        with transaction():
            reviews.hide_review(staff, "product", ids[-1], "Abusive words", utcnow())
        assert review_queries.rating_summary(water) == review_queries.rules.RatingSummary(4, None)
        assert ids[-1] not in {r.id for r in review_queries.list_visible_for_product(water)}
        with transaction():
            reviews.unhide_review(staff, "product", ids[-1], utcnow())
        assert review_queries.rating_summary(water).average == 3.6
        assert review_queries.rating_summaries([water, shop.products["milk"]]) == {
            water: review_queries.rules.RatingSummary(5, 3.6)}


def test_staff_hide_with_a_reason_show_again_and_reply_once(app, world):
    shop, shopper, _neighbour, order_id = world
    with app.app_context():
        review_id = review(shopper.user_id, order_id, shop.products["water"], 2, "Warm")
        staff_id = _staff(shop.store_id)
        for reason in ("", "  ", "no", "<b></b>", "x" * 201):
            with pytest.raises(errors.ReasonRequired) as refused, transaction():
                reviews.hide_review(_user(staff_id), "product", review_id, reason, utcnow())
            assert refused.value.field == "reason"
        with transaction():
            hidden = reviews.hide_review(_user(staff_id), "product", review_id, "Names a courier", utcnow())
            assert (hidden.hidden_reason, hidden.hidden_by) == ("Names a courier", staff_id)
        with pytest.raises(errors.AlreadyHidden), transaction():
            reviews.hide_review(_user(staff_id), "product", review_id, "Again", utcnow())
        with transaction():
            shown = reviews.unhide_review(_user(staff_id), "product", review_id, utcnow())
            assert (shown.hidden_at, shown.hidden_reason, shown.hidden_by) == (None, None, None)
        with pytest.raises(errors.NotHidden), transaction():
            reviews.unhide_review(_user(staff_id), "product", review_id, utcnow())
        with pytest.raises(errors.ReplyEmpty), transaction():
            reviews.reply_to_review(_user(staff_id), "product", review_id, "<p> </p>", utcnow())
        with transaction():
            replied = reviews.reply_to_review(_user(staff_id), "product", review_id, "Sorry! <i>Fixed</i>", utcnow())
            assert (replied.reply_text, replied.replied_by) == ("Sorry! Fixed", staff_id)
        with pytest.raises(errors.AlreadyReplied) as refused, transaction():
            reviews.reply_to_review(_user(staff_id), "product", review_id, "Second", utcnow())
        assert refused.value.status == 409
        assert db.session.get(ProductReview, review_id).reply_text == "Sorry! Fixed"


def test_another_stores_review_is_missing_to_staff(app, world):
    shop, shopper, _neighbour, order_id = world
    with app.app_context():
        review_id = review(shopper.user_id, order_id, shop.products["water"], 2)
        other = build_shop(name="Other Store", lat=30.0, lon=120.0)
        stranger = _user(_staff(other.store_id))
        for step in (lambda: reviews.hide_review(stranger, "product", review_id, "Rude words", utcnow()),
                     lambda: reviews.unhide_review(stranger, "product", review_id, utcnow()),
                     lambda: reviews.reply_to_review(stranger, "product", review_id, "Hello", utcnow()),
                     lambda: reviews.hide_review(stranger, "nonsense", review_id, "Rude words", utcnow()),
                     lambda: reviews.hide_review(stranger, "order", review_id, "Rude words", utcnow())):
            with pytest.raises(errors.ReviewNotFound), transaction():
                step()
        assert db.session.get(ProductReview, review_id).hidden_at is None


def test_the_console_lists_newest_first_and_filters(app, world):
    shop, shopper, _neighbour, order_id = world
    with app.app_context():
        low = review(shopper.user_id, order_id, shop.products["water"], 1, "Leaking")
        good = review(shopper.user_id, order_id, shop.products["milk"], 5)
        with transaction():
            whole = reviews.review_order(_user(shopper.user_id), order_id, 4, "", utcnow()).id
        staff = _user(_staff(shop.store_id))
        with transaction():
            reviews.hide_review(staff, "product", good, "Duplicate text", utcnow())

        def listed(show="all", kind=None):
            return [(r.kind.value, r.id) for r in review_queries.list_for_store(shop.store_id, show, kind)]
        assert listed() == [("order", whole), ("product", good), ("product", low)]
        assert listed("hidden") == [("product", good)]
        assert listed("visible") == [("order", whole), ("product", low)]
        assert listed("low") == [("product", low)]
        assert listed(kind="order") == [("order", whole)]
        assert listed("nonsense") == listed()
