"""The demo's reviews: at least two products show an average on their cards, a few orders are rated,
one review is hidden and one answered; loading the demo again adds nothing."""
from store_app.database import transaction
from store_app.demo.operations import seed_demo
from store_app.extensions import db
from store_app.orders import review_queries
from store_app.orders.review_models import OrderReview, ProductReview


def test_the_demo_has_reviews_that_show_an_average_on_cards(app_ctx):
    with transaction():
        _store, created = seed_demo()
    products = db.session.scalars(db.select(ProductReview.product_id).distinct()).all()
    summaries = review_queries.rating_summaries(products)
    shown = [pid for pid, summary in summaries.items() if summary.shown]
    assert len(shown) >= 2 and created["reviews"] >= 10
    assert all(1.0 <= summaries[pid].average <= 5.0 for pid in shown)
    assert db.session.scalar(db.select(db.func.count()).select_from(OrderReview)) >= 3
    assert db.session.scalar(db.select(db.func.count()).select_from(OrderReview)
                             .where(OrderReview.hidden_at.is_not(None))) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(ProductReview)
                             .where(ProductReview.reply_text.is_not(None))) >= 1
    with transaction():
        _store, again = seed_demo()
    assert again["reviews"] == 0
