"""A vendor's score and standing, pure: plain numbers in, plain values out.

The score ranks offerings: a Bayesian rating, on-time and acceptance rates (each pulled towards a
prior by pseudo-counts, so a vendor with little data sits near the prior, never near zero) and a
penalty for upheld complaints, combined into one number in [0, 1].

Standing: a vendor below any threshold goes on probation (with the reason and what would restore
them); still below at the end of the probation period, suspended; back above, good again. A
suspension is lifted only by staff (an appeal granted or a reversal by hand).
"""
from dataclasses import dataclass, field
from datetime import timedelta

# ---- the score's settings ------------------------------------------------------------------------
PRIOR_WEIGHT_REVIEWS = 5      # m: how many reviews' worth the category/store mean C counts for
DEFAULT_MEAN_STARS = 4.0      # C when nobody in the store has a visible review yet
PRIOR_ON_TIME = 0.9           # what a new vendor's on-time rate is taken to be...
PRIOR_ACCEPTANCE = 0.8        # ...and their acceptance rate...
PRIOR_WEIGHT_RATES = 5        # ...worth this many jobs/offers
WEIGHTS = {"rating": 0.5, "on_time": 0.25, "acceptance": 0.15, "complaints": 0.10}
ON_TIME_GRACE_MIN = 15        # arriving up to 15 minutes after the start is on time

# ---- the standing's thresholds -------------------------------------------------------------------
MIN_RATING = 4.0              # a mean below this...
MIN_REVIEWS = 10              # ...over at least this many visible reviews
MAX_UPHELD_COMPLAINTS = 3     # this many upheld complaints...
COMPLAINT_WINDOW = timedelta(days=90)  # ...within this window
MIN_ACCEPTANCE = 0.5          # acceptance below this...
MIN_OFFERS = 10               # ...over at least this many counted offers
MIN_ON_TIME = 0.7             # on-time below this...
MIN_JOBS = 10                 # ...over at least this many jobs
PROBATION = timedelta(days=14)

GOOD, PROBATION_STANDING, SUSPENDED = "good", "probation", "suspended"
# Reason keys (also ``Vendor.standing_reason`` and ``StandingEvent.reason``), most serious first.
REASONS = ("complaints", "low_rating", "late", "low_acceptance")


@dataclass(frozen=True)
class VendorStats:
    """What the score and standing read about one vendor (counts over the recent window)."""

    reviews: int = 0            # visible reviews
    mean_stars: float = 0.0     # their mean (ignored when ``reviews`` is 0)
    jobs: int = 0               # jobs with a start that counts for punctuality
    on_time: int = 0            # of which the crew arrived by the start plus the grace
    offers: int = 0             # offers that count for the rate
    accepted: int = 0           # of which accepted
    upheld_complaints: int = 0  # upheld complaints in the window, not overturned by a dispute


@dataclass(frozen=True)
class Decision:
    """The standing after one look at a vendor: what it is, why, until when probation runs, the numbers."""

    standing: str
    reason: str = ""
    probation_until_at: object = None
    params: dict = field(default_factory=dict)


def bayesian_rating(reviews, mean_stars, prior_mean, prior_weight=PRIOR_WEIGHT_REVIEWS):
    """WR = v/(v+m)·R + m/(v+m)·C, in stars: ``prior_mean`` with no reviews, ``mean_stars`` with very many."""
    if reviews <= 0:
        return float(prior_mean)
    total = reviews + prior_weight
    return reviews / total * mean_stars + prior_weight / total * prior_mean


def smoothed_rate(successes, trials, prior_rate, prior_weight=PRIOR_WEIGHT_RATES):
    """``successes / trials`` pulled towards ``prior_rate`` by ``prior_weight`` pseudo-trials, in [0, 1]."""
    successes = min(max(successes, 0), max(trials, 0))
    return (successes + prior_rate * prior_weight) / (max(trials, 0) + prior_weight)


def is_on_time(starts_at, arrived_at, grace_min=ON_TIME_GRACE_MIN):
    """Whether a crew that arrived at ``arrived_at`` (None: never) came by ``starts_at`` plus the grace."""
    return arrived_at is not None and arrived_at <= starts_at + timedelta(minutes=grace_min)


def score(stats, prior_mean=DEFAULT_MEAN_STARS):
    """The vendor's one number in [0, 1] that ranks offerings (higher first); monotone in the rating and
    in the on-time and acceptance rates, lowered by each upheld complaint; a new vendor gets ``prior_score``."""
    stars = bayesian_rating(stats.reviews, stats.mean_stars, prior_mean)
    parts = {
        "rating": min(max((stars - 1) / 4, 0.0), 1.0),
        "on_time": smoothed_rate(stats.on_time, stats.jobs, PRIOR_ON_TIME),
        "acceptance": smoothed_rate(stats.accepted, stats.offers, PRIOR_ACCEPTANCE),
        "complaints": 1 / (1 + max(stats.upheld_complaints, 0)),
    }
    value = sum(WEIGHTS[name] * part for name, part in parts.items())
    return round(min(max(value, 0.0), 1.0), 6)


def prior_score(prior_mean=DEFAULT_MEAN_STARS):
    """The score of a vendor with no data at all: where every new vendor starts."""
    return score(VendorStats(), prior_mean)


def breaches(stats):
    """``[(reason, params)]`` for every threshold ``stats`` is below, most serious first (``REASONS``)."""
    found = {}
    if stats.upheld_complaints >= MAX_UPHELD_COMPLAINTS:
        found["complaints"] = {"count": stats.upheld_complaints, "limit": MAX_UPHELD_COMPLAINTS}
    if stats.reviews >= MIN_REVIEWS and stats.mean_stars < MIN_RATING:
        found["low_rating"] = {"value": round(stats.mean_stars, 2), "limit": MIN_RATING, "count": stats.reviews}
    if stats.jobs >= MIN_JOBS and stats.on_time / stats.jobs < MIN_ON_TIME:
        found["late"] = {"value": round(100 * stats.on_time / stats.jobs), "limit": round(100 * MIN_ON_TIME),
                         "count": stats.jobs}
    if stats.offers >= MIN_OFFERS and stats.accepted / stats.offers < MIN_ACCEPTANCE:
        found["low_acceptance"] = {"value": round(100 * stats.accepted / stats.offers),
                                   "limit": round(100 * MIN_ACCEPTANCE), "count": stats.offers}
    return [(reason, found[reason]) for reason in REASONS if reason in found]


def next_standing(current, found, probation_until_at, now):
    """The standing after looking at a vendor in ``current`` with the ``breaches`` ``found`` at ``now``.

    good -> probation (for ``PROBATION``) when a threshold is crossed; probation -> good when none is;
    probation -> suspended only when one still is at ``probation_until_at``. Suspended stays suspended:
    only staff lift it. Never good -> suspended in one step.
    """
    reason, params = found[0] if found else ("", {})
    if current == SUSPENDED:
        return Decision(SUSPENDED, "", None, {})
    if current == PROBATION_STANDING:
        if not found:
            return Decision(GOOD, "restored")
        if probation_until_at is not None and now >= probation_until_at:
            return Decision(SUSPENDED, reason, None, params)
        return Decision(PROBATION_STANDING, reason, probation_until_at, params)
    if found:
        return Decision(PROBATION_STANDING, reason, now + PROBATION, params)
    return Decision(GOOD)
