"""Verified reviews: only the resident of a completed booking reviews it, once (1-5 stars and a text),
and the booking moves COMPLETED -> REVIEWED; the vendor replies once; staff hide a review with a
recorded reason, and a hidden review leaves the vendor's rating."""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from store_app.extensions import db

from . import money_notices
from .booking_models import Booking, Review
from .errors import AlreadyAnswered, FieldError, NotFound, NotReviewable
from .statuses import BookingStatus
from .steps import move

MAX_TEXT = 1000


@dataclass(frozen=True)
class RatingSummary:
    """A vendor's visible reviews: how many and their mean in stars (0.0 with none)."""

    count: int
    mean_stars: float


def _text(value, field, *, required=False):
    value = (value or "").strip()
    if len(value) > MAX_TEXT or (required and len(value) < 2):
        raise FieldError(field, money_notices.text_length(MAX_TEXT))
    return value


def leave_review(resident, booking_id, *, stars, text, now):
    """The resident reviews their completed job (1-5 stars): the review, then the booking moves to REVIEWED."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.resident_id != resident.id:
        raise NotFound()
    if booking.status != BookingStatus.COMPLETED.value:
        raise NotReviewable()
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise FieldError("stars", money_notices.choose_stars())
    review = Review(booking_id=booking.id, vendor_id=booking.vendor_id, resident_id=resident.id, stars=stars,
                    text=_text(text, "text"), created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError as exc:
        raise NotReviewable() from exc
    move(booking, BookingStatus.REVIEWED, now=now)
    money_notices.tell_vendor_reviewed(review, now)
    return review


def get_review_of_booking(booking_id):
    return db.session.scalar(db.select(Review).where(Review.booking_id == booking_id))


def reply(vendor, review_id, *, text, now):
    """The vendor's one public reply to a review of their work (a conditional UPDATE on no reply yet)."""
    review = db.session.get(Review, review_id)
    if review is None or review.vendor_id != vendor.id:
        raise NotFound()
    text = _text(text, "text", required=True)
    moved = db.session.execute(db.update(Review).where(Review.id == review.id, Review.reply.is_(None))
                               .values(reply=text, replied_at=now).execution_options(synchronize_session=False))
    if not moved.rowcount:
        raise AlreadyAnswered()
    db.session.refresh(review)
    return review


def hide(staff, review_id, *, reason, now):
    """Staff hide a review of their store with the reason recorded (it leaves the rating)."""
    review = get_review(staff.store_id, review_id)
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 200:
        raise FieldError("reason", money_notices.give_reason())
    moved = db.session.execute(db.update(Review).where(Review.id == review.id, Review.hidden_reason.is_(None))
                               .values(hidden_reason=reason, hidden_by=staff.id)
                               .execution_options(synchronize_session=False))
    if not moved.rowcount:
        raise AlreadyAnswered()
    db.session.refresh(review)
    return review


def get_review(store_id, review_id):
    review = db.session.get(Review, review_id)
    if review is None or db.session.get(Booking, review.booking_id).store_id != store_id:
        raise NotFound()
    return review


def _visible(query):
    return query.where(Review.hidden_reason.is_(None))


def list_for_vendor(vendor_id, limit=10):
    """The vendor's visible reviews, newest first (for the offering page)."""
    return db.session.scalars(_visible(db.select(Review).where(Review.vendor_id == vendor_id))
                              .order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)).all()


def list_for_store(store_id, limit=100):
    """Every review of the store's vendors (hidden ones too), newest first, for staff."""
    return db.session.scalars(db.select(Review).join(Booking, Review.booking_id == Booking.id)
                              .where(Booking.store_id == store_id)
                              .order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)).all()


def rating_summary(vendor_id):
    """How many visible reviews the vendor has and their mean."""
    count, mean = db.session.execute(_visible(db.select(db.func.count(Review.id), db.func.avg(Review.stars))
                                              .where(Review.vendor_id == vendor_id))).one()
    return RatingSummary(int(count or 0), round(float(mean or 0.0), 2))


def store_mean_stars(store_id):
    """The mean of every visible review of the store (C of the Bayesian rating); None with no review yet."""
    query = db.select(db.func.avg(Review.stars)).join(Booking, Review.booking_id == Booking.id)
    mean = db.session.scalar(_visible(query.where(Booking.store_id == store_id)))
    return float(mean) if mean is not None else None
