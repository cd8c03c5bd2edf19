"""How coupons price a basket: a pure rule, plain values in (a ``Basket``, ``Offer``s, the weekday in
the store's time zone), a ``Priced`` out. No clock, no database.

The order is fixed:

1. product discounts: offers limited to a category or a merchant, on those goods only;
2. order discounts on all the goods: spend X save Y, percent off (with its cap), new user, member day
   (only on its weekday);
3. delivery: free delivery waives what is left of the fee, once.

Each step works on what the steps before it left, so percentages compound (10 % then 10 % take
19 %), an amount never takes more than is left (the total never goes below zero) and the fee can be
waived only once. Minimum spend and item counts are checked on the undiscounted goods the offer
applies to, so the order of the offers does not decide whether one qualifies.

Two offers combine only if both allow it (``stacks``). The rule prices every offer alone and, when
two or more allow stacking, all of those together, and keeps the largest discount (ties: the lower
coupon ids), so adding an offer never makes the best single one worse. Offers are sorted by coupon
id first: the answer does not depend on the order they are given in.
"""
from dataclasses import dataclass, field

from .baskets import Line

KIND_NEW_USER = "new_user"
KIND_SPEND_SAVE = "spend_save"
KIND_PERCENT = "percent"
KIND_FREE_DELIVERY = "free_delivery"
KIND_MEMBER_DAY = "member_day"
# The order of the order discounts (step 2).
ORDER_STEP = {KIND_SPEND_SAVE: 0, KIND_PERCENT: 1, KIND_NEW_USER: 2, KIND_MEMBER_DAY: 3}

# Why an offer took nothing off (``Priced.refused``).
WRONG_LINE = "wrong_line"              # not valid on this line of business
NOT_TODAY = "not_today"                # a member day on another weekday
BELOW_MIN_SPEND = "below_min_spend"    # the goods it applies to cost less than its minimum
BELOW_MIN_ITEMS = "below_min_items"    # fewer items than its minimum among the goods it applies to
NO_GOODS = "no_goods"                  # none of the goods are in its category or from its merchant
NOTHING_LEFT = "nothing_left"          # nothing left to take off (a fee already waived, goods at zero)
NOT_COMBINABLE = "not_combinable"      # a better offer (or set) was kept, and they do not combine
DUPLICATE = "duplicate"                # the same coupon twice in one checkout

ALL_LINES = frozenset(line.value for line in Line)


@dataclass(frozen=True)
class Offer:
    """A coupon's terms as the pricing rule sees them (``coupons.offer_of`` makes one)."""

    coupon_id: int
    kind: str
    amount_off_cents: int = 0
    percent_off: int = 0                 # 0..100
    cap_cents: int | None = None         # the most a percent takes off
    min_spend_cents: int = 0
    min_items: int = 0
    category_id: int | None = None
    merchant_id: int | None = None
    lines: frozenset = frozenset({Line.DELIVERY.value, Line.PICKUP.value})
    stacks: bool = False
    member_weekday: int | None = None    # 0 = Monday, in the store's time zone

    @property
    def is_product_discount(self):
        return self.kind != KIND_FREE_DELIVERY and (self.category_id is not None or self.merchant_id is not None)

    def covers(self, item):
        """Whether a basket line is among the goods this offer applies to."""
        return ((self.category_id is None or item.category_id == self.category_id)
                and (self.merchant_id is None or item.merchant_id == self.merchant_id))


@dataclass(frozen=True)
class Priced:
    """A basket priced with offers: what came off the goods and the fee, and which offers did it."""

    goods_cents: int                     # the goods after discounts
    fee_cents: int                       # the fee after discounts
    goods_discount_cents: int
    fee_discount_cents: int
    applied: tuple = field(default_factory=tuple)   # (coupon_id, cents), in the order applied
    refused: tuple = field(default_factory=tuple)   # (coupon_id, reason), by coupon id

    @property
    def discount_cents(self):
        return self.goods_discount_cents + self.fee_discount_cents

    @property
    def total_cents(self):
        return self.goods_cents + self.fee_cents

    @property
    def applied_ids(self):
        return tuple(coupon_id for coupon_id, _ in self.applied)


def price(basket, offers, *, weekday):
    """Price ``basket`` with the best allowed combination of ``offers`` on ``weekday`` (0 = Monday,
    store time). Total >= 0, never above the undiscounted total; the fee is discounted at most once."""
    ordered = sorted(offers, key=lambda offer: offer.coupon_id)
    refused, seen, eligible = {}, set(), []
    for offer in ordered:
        if offer.coupon_id in seen:
            refused.setdefault(offer.coupon_id, DUPLICATE)
            continue
        seen.add(offer.coupon_id)
        reason = refusal(basket, offer, weekday)
        if reason is None and not _apply(basket, (offer,)).applied:
            reason = NOTHING_LEFT
        if reason is None:
            eligible.append(offer)
        else:
            refused[offer.coupon_id] = reason
    best = _apply(basket, ())
    candidates = [(offer,) for offer in eligible]
    stacking = tuple(offer for offer in eligible if offer.stacks)
    if len(stacking) > 1:
        candidates.append(stacking)
    best_key, best_set = None, ()
    for chosen in candidates:
        priced = _apply(basket, chosen)
        key = (-priced.discount_cents, sorted(priced.applied_ids))
        if best_key is None or key < best_key:
            best, best_key, best_set = priced, key, chosen
    kept = set(best.applied_ids)
    kept_stack = all(offer.stacks for offer in best_set)
    for offer in eligible:
        if offer.coupon_id not in kept:
            # It would combine with what was kept but adds nothing (a second free delivery), or not.
            refused[offer.coupon_id] = NOTHING_LEFT if offer.stacks and kept_stack else NOT_COMBINABLE
    return Priced(best.goods_cents, best.fee_cents, best.goods_discount_cents, best.fee_discount_cents,
                  best.applied, tuple(sorted(refused.items())))


def refusal(basket, offer, weekday):
    """Why ``offer`` cannot apply to ``basket`` on ``weekday`` at all, or None if it can."""
    if basket.line not in offer.lines:
        return WRONG_LINE
    if offer.kind == KIND_MEMBER_DAY and offer.member_weekday is not None and offer.member_weekday != weekday:
        return NOT_TODAY
    covered = [item for item in basket.lines if offer.covers(item)]
    if (offer.category_id is not None or offer.merchant_id is not None) and not covered:
        return NO_GOODS
    if sum(item.line_cents for item in covered) < offer.min_spend_cents:
        return BELOW_MIN_SPEND
    if sum(item.quantity for item in covered) < offer.min_items:
        return BELOW_MIN_ITEMS
    return None


def _step(offer):
    """Where an offer comes in the fixed order: product, order (by kind), delivery; then coupon id."""
    if offer.kind == KIND_FREE_DELIVERY:
        return (2, 0, offer.coupon_id)
    if offer.is_product_discount:
        return (0, 0, offer.coupon_id)
    return (1, ORDER_STEP.get(offer.kind, 9), offer.coupon_id)


def _apply(basket, offers):
    """Apply ``offers`` (all assumed eligible) in the fixed order; offers that take nothing are left out."""
    remaining = [item.line_cents for item in basket.lines]
    fee = max(0, basket.fee_cents)
    applied = []
    for offer in sorted(offers, key=_step):
        if offer.kind == KIND_FREE_DELIVERY:
            cents, fee = fee, 0
        else:
            indices = [i for i, item in enumerate(basket.lines) if offer.covers(item)]
            cents = goods_discount(offer, sum(remaining[i] for i in indices))
            _spread(remaining, indices, cents)
        if cents > 0:
            applied.append((offer.coupon_id, cents))
    goods_before = basket.goods_cents
    goods_after = sum(remaining)
    return Priced(goods_after, fee, goods_before - goods_after, max(0, basket.fee_cents) - fee, tuple(applied))


def goods_discount(offer, base_cents):
    """What ``offer`` takes off goods now worth ``base_cents``: a fixed amount, or a percent (rounded
    down, within its cap); never more than ``base_cents``."""
    if base_cents <= 0:
        return 0
    if offer.kind == KIND_PERCENT or (offer.kind == KIND_MEMBER_DAY and offer.percent_off > 0):
        cents = base_cents * max(0, min(100, offer.percent_off)) // 100
        if offer.cap_cents is not None:
            cents = min(cents, max(0, offer.cap_cents))
    else:
        cents = max(0, offer.amount_off_cents)
    return min(cents, base_cents)


def _spread(remaining, indices, cents):
    """Take ``cents`` off the lines at ``indices`` in proportion to what is left of each (rounded
    down, the odd cents from the first lines that still have some), so a later percent sees each
    line's own remainder."""
    base = sum(remaining[i] for i in indices)
    if cents <= 0 or base <= 0:
        return
    shares = {i: cents * remaining[i] // base for i in indices}
    left = cents - sum(shares.values())
    while left > 0:  # fewer odd cents than lines with a fraction: one pass, as a rule
        for i in indices:
            if left > 0 and remaining[i] - shares[i] > 0:
                shares[i] += 1
                left -= 1
    for i in indices:
        remaining[i] -= shares[i]
