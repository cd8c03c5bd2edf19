"""Reviews of goods and of whole orders, written by the resident who received them (a verified
purchase), one per purchase; staff may hide one with a recorded reason and reply once."""
from enum import StrEnum

from ..database import UTCDateTime, utcnow
from ..extensions import db


class ReviewKind(StrEnum):
    """What a review is about (the console's and the URLs' word for the two tables)."""

    PRODUCT = "product"  # one product of a delivered order
    ORDER = "order"      # the order as a whole (and its delivery)


class _Moderated:
    """The columns every review shares: who wrote it and when, staff's hiding and their reply."""

    id = db.Column(db.Integer, primary_key=True)
    rating = db.Column(db.Integer, nullable=False)
    # Plain text, cleaned of every tag (review_rules.clean_text); empty for a rating-only review.
    text = db.Column(db.String(1000), nullable=False, default="")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    hidden_at = db.Column(UTCDateTime, nullable=True)
    hidden_reason = db.Column(db.String(200), nullable=True)
    reply_text = db.Column(db.String(1000), nullable=True)
    replied_at = db.Column(UTCDateTime, nullable=True)

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class ProductReview(_Moderated, db.Model):
    """A resident's rating (1-5) and words about one product of one of their delivered orders."""

    __tablename__ = "product_reviews"

    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    hidden_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    replied_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])
    product = db.relationship("Product")

    kind = ReviewKind.PRODUCT

    __table_args__ = (
        # One review per purchase: a double tap or a second tab finds this constraint (a clean 409).
        db.UniqueConstraint("order_id", "product_id", "user_id"),
        db.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )


class OrderReview(_Moderated, db.Model):
    """A resident's rating of a whole delivered (or collected) order, and of its delivery's speed."""

    __tablename__ = "order_reviews"

    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    # How fast the courier came, 1-5; None for a pickup order or when the resident did not say.
    delivery_rating = db.Column(db.Integer, nullable=True)
    hidden_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    replied_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])

    kind = ReviewKind.ORDER

    __table_args__ = (
        db.UniqueConstraint("order_id", "user_id"),
        db.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        db.CheckConstraint("delivery_rating IS NULL OR delivery_rating BETWEEN 1 AND 5",
                           name="delivery_rating_range"),
    )


MODELS = {ReviewKind.PRODUCT: ProductReview, ReviewKind.ORDER: OrderReview}
