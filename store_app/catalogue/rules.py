"""Pure catalogue rules: the feed's ranking and the resident's habits, stock adjustments, prices,
barcodes, image types. Plain values in, plain values out; ``now`` is an argument; ties by id.

CSV rows are parsed in ``csv_rules`` (also pure).
"""
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

DAY_S = 86_400.0


class StockReason(StrEnum):
    """Why a product's stock changed (``StockMovement.reason``)."""

    RESTOCK = "restock"                    # goods arrived: a positive delta
    COUNT_CORRECTION = "count_correction"  # a shelf count found a different number
    DAMAGE = "damage"                      # broken, spoiled or expired: a negative delta
    OTHER = "other"                        # anything else; the note says what
    SALE = "sale"                          # written by checkout, never chosen by staff
    CANCEL = "cancel"                      # written when an order is cancelled, never chosen by staff


# The reasons staff may pick when they adjust stock by hand.
MANUAL_REASONS = (StockReason.RESTOCK, StockReason.COUNT_CORRECTION, StockReason.DAMAGE, StockReason.OTHER)
MAX_STOCK = 100_000
MAX_PRICE_CENTS = 10_000_000  # ¥100,000: anything above is a typo in a convenience store


# ---- stock and prices -------------------------------------------------------------------------

def adjustment_problem(delta, reason):
    """None if staff may change stock by ``delta`` for ``reason``, else a code saying why not."""
    if reason not in {r.value for r in MANUAL_REASONS}:
        return "reason_invalid"
    if delta == 0:
        return "zero"
    if abs(delta) > MAX_STOCK:
        return "too_large"
    if reason == StockReason.RESTOCK and delta < 0:
        return "restock_negative"
    if reason == StockReason.DAMAGE and delta > 0:
        return "damage_positive"
    return None


class PriceError(ValueError):
    """A text that is not a price; ``args[0]`` is a code: ``invalid``, ``not_positive``, ``too_high``."""

    @property
    def code(self):
        return self.args[0]


def parse_price_cents(text):
    """``"12.5"`` or ``"¥12.50"`` (yuan) -> ``1250`` cents; more than 0 and at most ¥100,000."""
    raw = str(text if text is not None else "").strip().lstrip("¥￥").replace(",", "").strip()
    if not raw or len(raw) > 12:
        raise PriceError("invalid")
    try:
        amount = Decimal(raw)
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise PriceError("invalid")
    except InvalidOperation as exc:
        raise PriceError("invalid") from exc
    cents = int(amount * 100)
    if cents <= 0:
        raise PriceError("not_positive")
    if cents > MAX_PRICE_CENTS:
        raise PriceError("too_high")
    return cents


def format_price(cents):
    """``1250`` -> ``"12.50"``: how a price is typed back into a form."""
    return f"{cents // 100}.{cents % 100:02d}"


# ---- barcodes and images ----------------------------------------------------------------------

def gtin_check_digit(body):
    """The check digit of a GTIN (EAN-8/UPC-A/EAN-13/GTIN-14) whose other digits are ``body``."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code):
    """True for an 8, 12, 13 or 14 digit code whose last digit is its check digit."""
    return (isinstance(code, str) and code.isascii() and code.isdigit() and len(code) in (8, 12, 13, 14)
            and gtin_check_digit(code[:-1]) == int(code[-1]))


def barcode_problem(code):
    """None for an acceptable barcode (letters, digits, dashes; 1-32), else a code.

    All-digit codes of a GTIN length must carry the right check digit: a mistyped digit is caught.
    """
    if not code:
        return "missing"
    if len(code) > 32 or not code.isascii() or not all(ch.isalnum() or ch == "-" for ch in code):
        return "invalid"
    if code.isdigit() and len(code) in (8, 12, 13, 14) and not is_valid_gtin(code):
        return "checksum"
    return None


# What each accepted image type starts with, its file extension and its MIME type.
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def sniff_image_type(head):
    """``"jpg"``, ``"png"`` or ``"webp"`` from a file's first bytes (at least 12), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def normalise_query(text, max_length=60):
    """Search words: trimmed, lower case, single spaces, at most ``max_length`` characters."""
    return " ".join((text or "").lower().split())[:max_length].strip()


# ---- the feed: popularity, habits, ranking ----------------------------------------------------

@dataclass(frozen=True)
class Sale:
    """Units of a product sold in one order of the store, at ``placed_at`` (aware)."""

    product_id: int
    quantity: int
    placed_at: object


@dataclass(frozen=True)
class Purchase:
    """One of the resident's own orders that contained a product."""

    product_id: int
    category_id: int
    placed_at: object


@dataclass(frozen=True)
class Candidate:
    """A product that may appear in the feed (active and in stock)."""

    product_id: int
    category_id: int


@dataclass(frozen=True)
class Habit:
    """How a resident buys one product: ``times`` orders, the last at ``last_at``, and the mean
    days between orders (None below the minimum number of purchases)."""

    product_id: int
    times: int
    last_at: object
    interval_days: float | None

    def due_ratio(self, now):
        """Days since the last purchase divided by the usual interval (1.0 = due today), or None."""
        if self.interval_days is None:
            return None
        return max(0.0, (now - self.last_at).total_seconds() / DAY_S) / self.interval_days


@dataclass(frozen=True)
class RankParams:
    """The ranking's knobs. Scores are sums of weighted terms, each between 0 and 1."""

    sales_half_life_days: float = 7.0     # a sale a week ago counts half
    habit_half_life_days: float = 30.0    # category tastes fade more slowly
    min_habit_purchases: int = 3          # "you buy this about every N days" from this many orders
    min_interval_days: float = 0.5        # closer purchases than this on average are not a rhythm
    w_popular: float = 1.0
    w_category: float = 0.6
    w_rebuy: float = 0.4
    w_due: float = 1.5
    popular_threshold: float = 0.75      # normalised popularity from which a card says "Popular nearby"
    due_ratio: float = 0.8               # a habit is "due" from this share of its interval
    favourite_min_share: float = 0.2     # a category is a favourite from this share of purchases
    favourite_count: int = 2             # at most this many favourite categories


DEFAULT_PARAMS = RankParams()

# Why a card is in the feed, most personal first.
REASON_HABIT = "habit"            # bought at least ``min_habit_purchases`` times: "about every N days"
REASON_BOUGHT = "bought_before"   # bought once or twice
REASON_FAVOURITE = "favourite"    # from one of the resident's favourite categories
REASON_POPULAR = "popular"        # sells well in the store lately


@dataclass(frozen=True)
class Ranked:
    """A product's place in the feed: its score and the reason shown on its card (or None)."""

    product_id: int
    score: float
    reason: str | None = None
    every_days: int | None = None     # for REASON_HABIT
    category_id: int | None = None    # for REASON_FAVOURITE
    due: bool = False                 # the habit says it is about time to buy it again


def decay(age_days, half_life_days):
    """The weight of an event ``age_days`` old: 1 now, 1/2 after one half-life; future counts as now."""
    return 0.5 ** (max(0.0, age_days) / half_life_days)


def _age_days(now, at):
    return (now - at).total_seconds() / DAY_S


def popularity(sales, now, half_life_days=DEFAULT_PARAMS.sales_half_life_days):
    """``{product_id: units sold, each weighted by its decay}``."""
    scores = {}
    for sale in sales:
        weight = max(0, sale.quantity) * decay(_age_days(now, sale.placed_at), half_life_days)
        scores[sale.product_id] = scores.get(sale.product_id, 0.0) + weight
    return scores


def mean_interval_days(times):
    """The mean number of days between consecutive moments (aware datetimes), None for fewer than 2."""
    ordered = sorted(set(times))
    if len(ordered) < 2:
        return None
    return (ordered[-1] - ordered[0]).total_seconds() / DAY_S / (len(ordered) - 1)


def habits(purchases, params=DEFAULT_PARAMS):
    """``{product_id: Habit}`` from the resident's purchases (several in one order count once)."""
    times = {}
    for purchase in purchases:
        times.setdefault(purchase.product_id, set()).add(purchase.placed_at)
    result = {}
    for product_id, moments in times.items():
        interval = mean_interval_days(moments) if len(moments) >= params.min_habit_purchases else None
        if interval is not None and interval < params.min_interval_days:
            interval = None
        result[product_id] = Habit(product_id, len(moments), max(moments), interval)
    return result


def category_affinity(purchases, now, half_life_days=DEFAULT_PARAMS.habit_half_life_days):
    """``{category_id: share of the resident's (decayed) purchases}``; the shares add up to 1."""
    weights = {}
    for purchase in purchases:
        weight = decay(_age_days(now, purchase.placed_at), half_life_days)
        weights[purchase.category_id] = weights.get(purchase.category_id, 0.0) + weight
    total = sum(weights.values())
    return {cat: w / total for cat, w in weights.items()} if total > 0 else {}


def favourite_categories(affinity, params=DEFAULT_PARAMS):
    """The resident's favourite categories: the biggest shares above the minimum, ties by id."""
    ranked = sorted(affinity.items(), key=lambda item: (-item[1], item[0]))
    return [cat for cat, share in ranked[:params.favourite_count] if share >= params.favourite_min_share]


def due_factor(ratio):
    """How much a habit pushes an item up: 0 until half the interval, 1 from due to twice overdue,
    then fading to 0.25 (maybe they buy it elsewhere now)."""
    if ratio is None or ratio < 0.5:
        return 0.0
    if ratio < 1.0:
        return (ratio - 0.5) / 0.5
    if ratio <= 2.0:
        return 1.0
    return max(0.25, 1.0 - 0.375 * (ratio - 2.0))


def _reason(candidate, habit, popular, favourites):
    if habit is not None and habit.interval_days is not None:
        return {"reason": REASON_HABIT, "every_days": max(1, round(habit.interval_days))}
    if habit is not None:
        return {"reason": REASON_BOUGHT}
    if candidate.category_id in favourites:
        return {"reason": REASON_FAVOURITE, "category_id": candidate.category_id}
    if popular:
        return {"reason": REASON_POPULAR}
    return {}


def score_candidate(candidate, popular_norm, habit, affinity, favourites, now, params=DEFAULT_PARAMS):
    """One candidate's ``Ranked``: popularity (0-1), category taste, rebuys and due habits."""
    ratio = habit.due_ratio(now) if habit is not None else None
    due = due_factor(ratio)
    is_due = ratio is not None and ratio >= params.due_ratio
    score = (params.w_popular * popular_norm
             + params.w_category * affinity.get(candidate.category_id, 0.0)
             + (params.w_rebuy * min(habit.times, 5) / 5 if habit is not None else 0.0)
             + params.w_due * due)
    reason = _reason(candidate, habit, popular_norm >= params.popular_threshold, favourites)
    return Ranked(candidate.product_id, score, due=is_due, **reason)


def normalised_popularity(scores):
    """``{product_id: log(1 + score) / log(1 + best score)}``: 1 for the best seller, 0 for none."""
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return {}
    return {pid: math.log1p(s) / math.log1p(best) for pid, s in scores.items()}


def rank_feed(candidates, sales, purchases, now, params=DEFAULT_PARAMS):
    """The feed's order: candidates (each once) by score, best first, ties by product id.

    ``sales`` are the store's recent sales (everyone's); ``purchases`` are this resident's own.
    """
    popular = normalised_popularity(popularity(sales, now, params.sales_half_life_days))
    return rank_with_popularity(candidates, popular, purchases, now, params)


def rank_with_popularity(candidates, popular, purchases, now, params=DEFAULT_PARAMS):
    """``rank_feed`` with the store's ``normalised_popularity`` already computed.

    The store's part can be computed once for everyone: decay scales every product's score by the
    same factor as time passes, and normalising cancels it, so it only changes with new sales.
    """
    habit_of = habits(purchases, params)
    affinity = category_affinity(purchases, now, params.habit_half_life_days)
    favourites = set(favourite_categories(affinity, params))
    unique = {}
    for candidate in sorted(candidates, key=lambda c: (c.product_id, c.category_id)):
        # A product given twice: the same one is kept whatever the order.
        unique.setdefault(candidate.product_id, candidate)
    ranked = [score_candidate(c, popular.get(pid, 0.0), habit_of.get(pid), affinity, favourites, now, params)
              for pid, c in unique.items()]
    # Rounded so that the order of summation can never break a tie differently.
    ranked.sort(key=lambda r: (-round(r.score, 9), r.product_id))
    return ranked
