"""Product reviews in the JSON API (``/api/v1/products/<id>/reviews``): a product's visible reviews,
with the store's replies, and its average once it has enough reviews. The same reviews as its page."""
from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import BaseModel, Field

from ..catalogue.operations import get_product
from ..roles import Role
from ..web.api import SIGNED_IN, documented
from ..web.guards import role_required
from . import review_queries, review_rules
from .errors import ProductNotFound

bp = Blueprint("review_api", __name__)
LIMIT = 50


class ReviewOut(BaseModel):
    id: int
    rating: int = Field(ge=1, le=5)
    text: str = Field(description="Plain text (no HTML); empty for a rating-only review")
    created_at: str = Field(description="ISO 8601, UTC")
    verified_purchase: bool = Field(description="Always true: only a delivered order's goods are reviewed")
    reply_text: str | None = Field(description="The store's reply, if any")
    replied_at: str | None


class ProductReviewsOut(BaseModel):
    product_id: int
    count: int = Field(ge=0, description="Visible reviews (hidden ones are left out)")
    average: float | None = Field(description=f"Mean rating to one decimal; null below "
                                              f"{review_rules.MIN_REVIEWS_FOR_AVERAGE} visible reviews")
    reviews: list[ReviewOut] = Field(description=f"Newest first, at most {LIMIT}")


def _review_json(review):
    return {"id": review.id, "rating": review.rating, "text": review.text, "created_at": review.created_at.isoformat(),
            "verified_purchase": True, "reply_text": review.reply_text,
            "replied_at": review.replied_at.isoformat() if review.replied_at else None}


@bp.get("/api/v1/products/<int:product_id>/reviews")
@documented(ok=(200, ProductReviewsOut), errors=(403, 404), security=SIGNED_IN, tags=["reviews"])
@role_required(Role.RESIDENT, Role.STAFF, Role.OWNER)
def api_product_reviews(product_id):
    """A product of the caller's store: its visible reviews (newest first) with the store's replies,
    how many there are, and the average once there are enough. Another store's product: 404."""
    product = get_product(current_user.store_id, product_id)
    if product is None:
        raise ProductNotFound()
    summary = review_queries.rating_summary(product.id)
    return jsonify(product_id=product.id, count=summary.count, average=summary.average,
                   reviews=[_review_json(r) for r in review_queries.list_visible_for_product(product.id, LIMIT)])
