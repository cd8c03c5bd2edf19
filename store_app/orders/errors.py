"""Order errors. ``status`` is the HTTP status a view answers with."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class OrderError(DomainError):
    message = _l("This order could not be completed.")
    status = 400


class EmptyCart(OrderError):
    message = _l("Your cart is empty.")


class ProductNotFound(OrderError):
    message = _l("That product is not available.")
    status = 404


class QuantityInvalid(OrderError):
    message = _l("Choose a quantity between 1 and 99.")


class CartChanged(OrderError):
    message = _l("Some prices or stock changed since you looked. Please check your cart again.")
    status = 409


class NotDeliverable(OrderError):
    status = 409

    def __init__(self, reason, message):
        super().__init__(reason)
        self.reason = reason
        self.message = message


class BelowMinimum(OrderError):
    def __init__(self, minimum_cents, formatted):
        super().__init__(minimum_cents)
        self.message = _l("The minimum order for your area is %(amount)s.", amount=formatted)


class SlotInvalid(OrderError):
    message = _l("That delivery time is no longer available. Please choose another.")


class AddressMissing(OrderError):
    message = _l("Please choose a delivery address.")


class FulfilmentInvalid(OrderError):
    message = _l("Please choose delivery or pickup at the store.")


class PaymentInvalid(OrderError):
    message = _l("Please choose how to pay.")


class StatusConflict(OrderError):
    message = _l("This order has already moved on. The page has been refreshed.")
    status = 409


class OrderNotFound(OrderError):
    message = _l("We could not find that order.")
    status = 404


class IdempotencyConflict(OrderError):
    message = _l("This order is already being placed. Please wait a moment.")
    status = 409


class VoiceEmpty(OrderError):
    message = _l("Record a voice note or type what you need.")


class VoiceTooLarge(OrderError):
    message = _l("The voice note is too long. Please keep it under a minute.")
    status = 413


class VoiceType(OrderError):
    message = _l("This recording format is not supported. Try again, or type your list.")
    status = 415


# ---- reviews of goods and orders (orders.reviews) ----------------------------------------------

class ReviewNotFound(OrderError):
    message = _l("We could not find that review.")
    status = 404


class NotReviewable(OrderError):
    message = _l("You can review an order once it has been delivered or collected.")
    status = 409


class ProductNotInOrder(OrderError):
    message = _l("That product was not in this order.")
    status = 404


class AlreadyReviewed(OrderError):
    message = _l("You have already reviewed this.")
    status = 409


class RatingInvalid(OrderError):
    message = _l("Choose 1 to 5 stars.")
    field = "rating"


class DeliveryRatingInvalid(OrderError):
    message = _l("Choose 1 to 5 stars for the delivery, or leave it out.")
    field = "delivery_rating"


class ReviewTextTooLong(OrderError):
    field = "text"

    def __init__(self, max_length):
        super().__init__(max_length)
        self.message = _l("Keep it to %(max)d characters.", max=max_length)


class ReasonRequired(OrderError):
    message = _l("Please give a reason (a few words).")
    field = "reason"


class ReplyEmpty(OrderError):
    message = _l("Write a reply first.")
    field = "text"


class AlreadyReplied(OrderError):
    message = _l("This review already has a reply.")
    status = 409


class AlreadyHidden(OrderError):
    message = _l("This review is hidden already.")
    status = 409


class NotHidden(OrderError):
    message = _l("This review is not hidden.")
    status = 409
