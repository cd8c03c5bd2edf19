"""Reviews of goods and orders as pure rules: which orders may be reviewed, what a rating is, how a
review's text is cleaned, and when a product card shows its average. Plain values in and out."""
import html
from dataclasses import dataclass

import nh3

from .statuses import OrderStatus

# A product card shows its average only from this many visible reviews: fewer would mislead.
MIN_REVIEWS_FOR_AVERAGE = 5
MIN_RATING, MAX_RATING = 1, 5
MAX_TEXT = 1000       # characters of a review or a reply, after cleaning
MAX_REASON = 200      # characters of the reason staff give for hiding a review
MIN_REASON = 3
# Only goods that reached the resident can be reviewed: a verified purchase.
REVIEWABLE = (OrderStatus.DELIVERED.value, OrderStatus.COLLECTED.value)
# Cleaning again until nothing changes undoes text that was escaped to smuggle a tag through
# ("&lt;script&gt;"); a few rounds are always enough for real text.
_CLEAN_ROUNDS = 5


@dataclass(frozen=True)
class RatingSummary:
    """A product's visible reviews: how many, and the average shown (None below the threshold)."""

    count: int
    average: float | None

    @property
    def shown(self):
        """Whether the card shows the average (enough visible reviews)."""
        return self.average is not None


def is_valid_rating(value):
    """Whether ``value`` is a whole number of stars from 1 to 5 (``True`` is not a number of stars)."""
    return isinstance(value, int) and not isinstance(value, bool) and MIN_RATING <= value <= MAX_RATING


def is_reviewable(status):
    """Whether an order in ``status`` may be reviewed: delivered, or collected at the counter."""
    return status in REVIEWABLE


def clean_text(text):
    """A review's text as plain text: every HTML tag removed (script and style with their content),
    entities turned back into the characters they stand for, whitespace at the ends trimmed. The page
    escapes it when showing it, so nothing typed can become markup."""
    text = (text or "").replace("\x00", "")
    for _ in range(_CLEAN_ROUNDS):
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            break
        text = cleaned
    else:
        text = nh3.clean(text, tags=set())  # still changing: keep the escaped, certainly inert form
    return text.strip()


def card_average(ratings, minimum=MIN_REVIEWS_FOR_AVERAGE):
    """The average of the visible ``ratings`` rounded to one decimal (half up), or None with fewer
    than ``minimum`` of them."""
    ratings = list(ratings)
    if len(ratings) < minimum:
        return None
    return summary_of(len(ratings), sum(ratings), minimum).average


def summary_of(count, total, minimum=MIN_REVIEWS_FOR_AVERAGE):
    """``RatingSummary`` from how many visible reviews there are and the sum of their ratings. The
    average is rounded half up in integer arithmetic (4.25 -> 4.3), never through a float's error."""
    if count < minimum or count <= 0:
        return RatingSummary(count, None)
    tenths = (total * 20 + count) // (2 * count)  # round(total * 10 / count), halves up
    return RatingSummary(count, tenths / 10)


def stars_text(rating):
    """``★★★☆☆`` for a rating of 3."""
    rating = max(0, min(MAX_RATING, int(rating)))
    return "★" * rating + "☆" * (MAX_RATING - rating)
