"""Verified reviews of goods and orders: only the resident whose order was delivered (or collected)
reviews it, once per purchase (a product of that order, or the order as a whole); staff of the store
hide a review with a recorded reason, show it again, and reply once.

A second reply is refused (``AlreadyReplied``, 409), like the marketplace vendors' one reply: the reply
is public and answers what the resident wrote, so it is not rewritten under them. Every change of a
review is a conditional UPDATE, so two staff at two counters never both win. These operations flush,
never commit."""
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from . import review_rules as rules
from .errors import (AlreadyHidden, AlreadyReplied, AlreadyReviewed, DeliveryRatingInvalid, NotHidden,
                     NotReviewable, OrderNotFound, ProductNotInOrder, RatingInvalid, ReasonRequired, ReplyEmpty,
                     ReviewNotFound, ReviewTextTooLong)
from .models import Order, OrderItem
from .review_models import MODELS, OrderReview, ProductReview, ReviewKind


def _reviewable_order(user, order_id):
    """The resident's own order, delivered or collected; someone else's order is missing (404)."""
    order = db.session.scalar(db.select(Order).where(Order.id == order_id, Order.user_id == user.id))
    if order is None:
        raise OrderNotFound()
    if not rules.is_reviewable(order.status):
        raise NotReviewable()
    return order


def _rating(value, error=RatingInvalid):
    if not rules.is_valid_rating(value):
        raise error()
    return value


def _text(text):
    cleaned = rules.clean_text(text)
    if len(cleaned) > rules.MAX_TEXT:
        raise ReviewTextTooLong(rules.MAX_TEXT)
    return cleaned


def _add_once(review):
    """Add a review; the purchase's unique constraint turns a second one (a double tap) into a 409."""
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError as exc:
        raise AlreadyReviewed() from exc
    return review


def review_product(user, order_id, product_id, rating, text, now):
    """The resident rates (1-5) and describes one product of their own delivered or collected order:
    a verified purchase, once per order and product. Text is cleaned to plain text (at most
    ``MAX_TEXT`` characters, may be empty)."""
    order = _reviewable_order(user, order_id)
    in_order = db.session.scalar(db.select(OrderItem.id).where(
        OrderItem.order_id == order.id, OrderItem.product_id == product_id, OrderItem.unavailable.is_(False)).limit(1))
    if in_order is None:
        raise ProductNotInOrder()
    review = ProductReview(store_id=order.store_id, order_id=order.id, product_id=product_id, user_id=user.id,
                           rating=_rating(rating), text=_text(text), created_at=now)
    return _add_once(review)


def review_order(user, order_id, rating, text, now, delivery_rating=None):
    """The resident rates (1-5) their own delivered or collected order as a whole, once, and may rate
    the delivery's speed (1-5; a pickup order has no delivery, so it is left out there)."""
    order = _reviewable_order(user, order_id)
    if delivery_rating is not None:
        delivery_rating = None if order.is_pickup else _rating(delivery_rating, DeliveryRatingInvalid)
    review = OrderReview(store_id=order.store_id, order_id=order.id, user_id=user.id, rating=_rating(rating),
                         delivery_rating=delivery_rating, text=_text(text), created_at=now)
    return _add_once(review)


def model_of(kind):
    """The review table of ``kind`` ("product" or "order"); an unknown kind is a missing review."""
    try:
        return MODELS[ReviewKind(kind)]
    except ValueError as exc:
        raise ReviewNotFound() from exc


def get_review(store_id, kind, review_id):
    """A review of the store's goods or orders; another store's (or none) is missing (404)."""
    model = model_of(kind)
    review = db.session.get(model, review_id) if isinstance(review_id, int) else None
    if review is None or review.store_id != store_id:
        raise ReviewNotFound()
    return review


def _guarded_update(review, condition, values, refusal):
    """UPDATE the review only while ``condition`` holds (another tab may have got there first)."""
    model = type(review)
    moved = db.session.execute(db.update(model).where(model.id == review.id, condition).values(**values)
                               .execution_options(synchronize_session=False))
    if not moved.rowcount:
        raise refusal()
    db.session.refresh(review)
    return review


def hide_review(staff, kind, review_id, reason, now):
    """Staff hide a review of their store with the reason recorded: it leaves the product's page and
    average. The reason is required (3 to ``MAX_REASON`` characters)."""
    review = get_review(staff.store_id, kind, review_id)
    reason = rules.clean_text(reason)
    if not rules.MIN_REASON <= len(reason) <= rules.MAX_REASON:
        raise ReasonRequired()
    model = type(review)
    return _guarded_update(review, model.hidden_at.is_(None),
                           {"hidden_at": now, "hidden_reason": reason, "hidden_by": staff.id}, AlreadyHidden)


def unhide_review(staff, kind, review_id, now):
    """Staff show a hidden review again (it counts in the average again); the reason is cleared."""
    review = get_review(staff.store_id, kind, review_id)
    model = type(review)
    return _guarded_update(review, model.hidden_at.is_not(None),
                           {"hidden_at": None, "hidden_reason": None, "hidden_by": None}, NotHidden)


def reply_to_review(staff, kind, review_id, text, now):
    """The store's one public reply to a review (plain text, 1 to ``MAX_TEXT`` characters). A second
    reply is refused with ``AlreadyReplied`` (409): the first one stands."""
    review = get_review(staff.store_id, kind, review_id)
    text = _text(text)
    if not text:
        raise ReplyEmpty()
    model = type(review)
    return _guarded_update(review, model.reply_text.is_(None),
                           {"reply_text": text, "replied_at": now, "replied_by": staff.id}, AlreadyReplied)
