"""Reading reviews: a product's visible reviews and its card summary, what a resident has reviewed
of an order, and the store's reviews for staff (newest first, filtered). Read-only."""
from dataclasses import dataclass

from ..extensions import db
from . import review_rules as rules
from .review_models import OrderReview, ProductReview, ReviewKind

# The console's filters: every review, the visible or hidden ones, or low ratings (to answer first).
FILTERS = ("all", "visible", "hidden", "low")
LOW_RATING = 2  # and below
CONSOLE_LIMIT = 200


@dataclass(frozen=True)
class OrderReviews:
    """What the resident has reviewed of one order: the order's review and ``{product id: review}``."""

    order_review: OrderReview | None
    products: dict


def rating_summaries(product_ids):
    """``{product id: RatingSummary}`` for the products with at least one visible review (one query);
    ``summary.average`` is None below ``MIN_REVIEWS_FOR_AVERAGE``."""
    ids = sorted({pid for pid in product_ids if pid is not None})
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(ProductReview.product_id, db.func.count(ProductReview.id), db.func.sum(ProductReview.rating))
        .where(ProductReview.product_id.in_(ids), ProductReview.hidden_at.is_(None))
        .group_by(ProductReview.product_id)).all()
    return {pid: rules.summary_of(int(count), int(total or 0)) for pid, count, total in rows}


def rating_summary(product_id):
    """The product's ``RatingSummary`` (0 reviews, no average, when it has none visible)."""
    return rating_summaries([product_id]).get(product_id, rules.RatingSummary(0, None))


def list_visible_for_product(product_id, limit=20):
    """The product's visible reviews, newest first, with their writers (for the product page and API)."""
    return db.session.scalars(
        db.select(ProductReview).where(ProductReview.product_id == product_id, ProductReview.hidden_at.is_(None))
        .order_by(ProductReview.created_at.desc(), ProductReview.id.desc()).limit(limit)).all()


def reviews_of_order(user_id, order_id):
    """What this resident has reviewed of this order (``OrderReviews``)."""
    order_review = db.session.scalar(db.select(OrderReview).where(
        OrderReview.order_id == order_id, OrderReview.user_id == user_id))
    products = {r.product_id: r for r in db.session.scalars(db.select(ProductReview).where(
        ProductReview.order_id == order_id, ProductReview.user_id == user_id))}
    return OrderReviews(order_review, products)


def get_product_review(user_id, order_id, product_id):
    """The resident's review of this product of this order, or None."""
    return db.session.scalar(db.select(ProductReview).where(
        ProductReview.order_id == order_id, ProductReview.product_id == product_id,
        ProductReview.user_id == user_id))


def _filtered(model, store_id, show):
    query = db.select(model).where(model.store_id == store_id)
    if show == "visible":
        query = query.where(model.hidden_at.is_(None))
    elif show == "hidden":
        query = query.where(model.hidden_at.is_not(None))
    elif show == "low":
        query = query.where(model.rating <= LOW_RATING)
    return query.order_by(model.created_at.desc(), model.id.desc()).limit(CONSOLE_LIMIT)


def list_for_store(store_id, show="all", kind=None):
    """The store's product and order reviews (hidden ones too unless filtered), newest first, at most
    ``CONSOLE_LIMIT``. ``show`` is one of ``FILTERS``; ``kind`` keeps one kind (None: both)."""
    show = show if show in FILTERS else "all"
    found = []
    for model in (ProductReview, OrderReview):
        if kind is None or model.kind == kind:
            found += db.session.scalars(_filtered(model, store_id, show)).all()
    found.sort(key=lambda r: (r.created_at, r.kind == ReviewKind.PRODUCT, r.id), reverse=True)
    return found[:CONSOLE_LIMIT]
