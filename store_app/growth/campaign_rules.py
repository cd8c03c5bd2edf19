"""Campaign rules on plain values: who is held out, what a dry run adds up to, whether a discount
would sell below cost, which status moves are allowed, and the uplift against the holdout."""
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MAX_HOLDOUT_PERCENT = 50
DRY_RUN_DAYS = 30

# status -> the statuses a campaign may move to from it
MOVES = {
    "draft": {"running", "ended"},
    "running": {"paused", "ended"},
    "paused": {"running", "ended"},
    "ended": set(),
}


def can_move(current, target):
    """Whether a campaign may go from status ``current`` to ``target``."""
    return target in MOVES.get(current, set())


def holdout_bucket(campaign_id, user_id):
    """A resident's bucket 0..99 in a campaign: the same every time, independent between campaigns."""
    digest = hashlib.sha256(f"campaign:{campaign_id}:user:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def is_holdout(campaign_id, user_id, holdout_percent):
    """Whether the resident is held out (gets nothing): bucket below ``holdout_percent`` (0..50)."""
    return holdout_bucket(campaign_id, user_id) < holdout_percent


@dataclass(frozen=True)
class Replay:
    """One past purchase replayed with the coupon: whose, what it was worth, what would come off."""

    user_id: int
    gmv_cents: int          # goods and fees before discounts
    discount_cents: int     # what the coupon would have taken off (0: it did not apply)
    below_cost: bool = False  # a line of it would have sold below its recorded cost


def local_weekday(moment, tz_name):
    """The weekday (0 = Monday) of an aware instant in the store's time zone."""
    return moment.astimezone(ZoneInfo(tz_name)).weekday()


def limit_per_user(replays, per_user_limit):
    """Keep each resident's first ``per_user_limit`` applying replays (in the order given, i.e. by
    time); later ones would have found the coupon used up, so their discount is 0."""
    used, kept = {}, []
    for replay in replays:
        if replay.discount_cents > 0:
            if used.get(replay.user_id, 0) >= per_user_limit:
                replay = Replay(replay.user_id, replay.gmv_cents, 0)   # nothing off: nothing below cost
            else:
                used[replay.user_id] = used.get(replay.user_id, 0) + 1
        kept.append(replay)
    return kept


def dry_run_figures(replays, *, segment_size, treated_size, total_limit=None):
    """The figures a dry run shows: orders replayed and affected, the discount they would have cost
    (in cents, and as a share of their GMV in basis points), and the residents it touched. With a
    total limit, only the first ``total_limit`` applying orders count."""
    orders = affected = discount = gmv = below = 0
    touched = set()
    for replay in replays:
        orders += 1
        gmv += replay.gmv_cents
        if replay.discount_cents > 0 and (total_limit is None or affected < total_limit):
            affected += 1
            discount += replay.discount_cents
            below += replay.below_cost
            touched.add(replay.user_id)
    return {"orders": orders, "affected_orders": affected, "discount_cents": discount, "gmv_cents": gmv,
            "orders_below_cost": below,
            "discount_share_bp": (discount * 10_000 // gmv) if gmv else 0,
            "residents_touched": len(touched), "segment_size": segment_size, "treated_size": treated_size}


@dataclass(frozen=True)
class CostedProduct:
    """A product a coupon applies to, with its price and (when known) its cost, in cents."""

    product_id: int
    price_cents: int
    cost_cents: int | None
    category_id: int | None = None
    merchant_id: int | None = None


def smallest_qualifying_quantity(price_cents, *, min_spend_cents, min_items):
    """The fewest units of one product that meet a coupon's minimum spend and item count (at least 1):
    for a fixed amount off, the basket where the discount weighs most."""
    by_spend = -(-min_spend_cents // price_cents) if min_spend_cents > 0 else 1
    return max(1, min_items, by_spend)


def sells_below_cost(product, quantity, goods_discount_cents):
    """Whether ``quantity`` units of ``product`` less ``goods_discount_cents`` bring in less than
    they cost (unknown cost: never)."""
    if product.cost_cents is None:
        return False
    return product.price_cents * quantity - goods_discount_cents < product.cost_cents * quantity


def lines_below_cost(lines, goods_discount_cents, *, category_id=None, merchant_id=None):
    """How many of a basket's lines (``BasketLine``) would sell below their recorded cost when the
    goods discount is shared among the lines the coupon covers (its category and merchant, if it
    has them) in proportion to their value. Lines without a cost are not counted."""
    covered = [line for line in lines
               if (category_id is None or line.category_id == category_id)
               and (merchant_id is None or line.merchant_id == merchant_id)]
    total = sum(line.line_cents for line in covered)
    if goods_discount_cents <= 0 or total <= 0:
        return 0
    # line - discount * line / total < cost * quantity, in integers: no rounding decides it.
    return sum(1 for line in covered if line.cost_cents is not None
               and line.line_cents * (total - goods_discount_cents) < line.cost_cents * line.quantity * total)


def uplift(treated_total, treated_converted, holdout_total, holdout_converted):
    """Conversion of the treated and of the holdout, as rates (0..1 or None when empty) and their
    difference in percentage points (None without both groups)."""
    treated = treated_converted / treated_total if treated_total else None
    held = holdout_converted / holdout_total if holdout_total else None
    diff = round((treated - held) * 100, 1) if treated is not None and held is not None else None
    return {"treated_total": treated_total, "treated_converted": treated_converted, "treated_rate": treated,
            "holdout_total": holdout_total, "holdout_converted": holdout_converted, "holdout_rate": held,
            "difference_points": diff}
