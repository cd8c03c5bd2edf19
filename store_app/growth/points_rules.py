"""Points and tiers as pure rules: plain values and ``now`` in, values out.

**Earning.** A completed purchase earns 1 point per whole ¥1 the resident paid for goods or the
service, after discounts; delivery and other fees earn nothing (``Purchase.goods_cents``). The tier's
multiplier then applies (silver ×1.25, gold ×1.5), rounded down.

**Reversing.** A refund is counted against the goods first (what the points were earned on), the fee
last. The points to take back are worked out from the *cumulative* refunded amount: after refunds of
``r`` cents in all on goods of ``g`` cents that earned ``p`` points, ``p * min(r, g) // g`` points are
owed back, minus what earlier refunds already claimed. Two half refunds take back exactly what one
whole refund would, and a replay of the same refund claims nothing more. The balance never goes
below zero: what cannot be taken (the resident spent it) is recorded as a shortfall.

**Tiers.** By the points earned on purchases (after refunds) in the last 365 days:
普通 Basic from 0, 银卡 Silver from 1,000, 金卡 Gold from 5,000. A resident moves up as soon as an
award reaches the next threshold. **Demotion** is reviewed once a month (the 1st, store time): a
resident whose last 365 days fall below their tier's threshold keeps the tier for one month's grace;
if at the next monthly review they are still below, they move to the tier their points reach.
Coming back above the threshold during the grace month ends the grace.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

CENTS_PER_POINT = 100          # 1 point per whole ¥1 paid for goods or the service
# What a point costs the store when the owner's board counts referral spend: one fen (points come back
# as coupons staff price in points; at 1 point per ¥1 spent a point is worth about 1 % of that ¥1).
POINT_VALUE_CENTS = 1
TIER_WINDOW = timedelta(days=365)


class Tier(StrEnum):
    BASIC = "basic"     # 普通: everyone
    SILVER = "silver"   # 银卡: 1,000 points in the last 365 days
    GOLD = "gold"       # 金卡: 5,000 points in the last 365 days


@dataclass(frozen=True)
class TierTerms:
    """A tier's threshold (points earned in the last 365 days) and its earning multiplier (percent)."""

    tier: Tier
    threshold: int
    multiplier_pct: int


TIERS = (TierTerms(Tier.BASIC, 0, 100), TierTerms(Tier.SILVER, 1_000, 125), TierTerms(Tier.GOLD, 5_000, 150))
_BY_TIER = {terms.tier: terms for terms in TIERS}


def terms_of(tier):
    """The ``TierTerms`` of a tier (an unknown value is Basic)."""
    return _BY_TIER.get(tier, TIERS[0])


def rank(tier):
    """0 for Basic, 1 for Silver, 2 for Gold."""
    return TIERS.index(terms_of(tier))


def tier_for(qualifying_points):
    """The highest tier whose threshold ``qualifying_points`` (last 365 days) reaches."""
    return max((t for t in TIERS if qualifying_points >= t.threshold), key=lambda t: t.threshold).tier


def next_tier(tier):
    """The ``TierTerms`` of the tier above ``tier``, or None at the top."""
    position = rank(tier)
    return TIERS[position + 1] if position + 1 < len(TIERS) else None


def points_to_next(tier, qualifying_points):
    """``(next TierTerms or None, points still needed, percent of the way there 0..100)``."""
    above = next_tier(tier)
    if above is None:
        return None, 0, 100
    needed = max(0, above.threshold - qualifying_points)
    return above, needed, min(100, max(0, qualifying_points * 100 // above.threshold))


def points_for(goods_cents, tier=Tier.BASIC):
    """Points a purchase of ``goods_cents`` (after discounts, fees apart) earns in ``tier``; never negative."""
    base = max(0, int(goods_cents)) // CENTS_PER_POINT
    return base * terms_of(tier).multiplier_pct // 100


def points_owed_back(awarded, goods_cents, refunded_cents, already_claimed):
    """Points to take back now, after refunds of ``refunded_cents`` in all on a purchase whose goods
    (``goods_cents``) earned ``awarded``; ``already_claimed`` is what earlier refunds claimed (taken
    or recorded as a shortfall). Refunds count against the goods first. Never negative."""
    if awarded <= 0 or refunded_cents <= 0:
        return 0
    if goods_cents <= 0:
        return 0
    refunded_goods = min(int(refunded_cents), int(goods_cents))
    target = awarded * refunded_goods // goods_cents
    return max(0, min(awarded, target) - max(0, already_claimed))


def split_reversal(wanted, balance):
    """``(taken, missing)``: a reversal takes what the balance holds, never more; the rest is missing."""
    taken = max(0, min(wanted, balance))
    return taken, wanted - taken


def review_tier(tier, grace_until, qualifying_points, now, grace_end):
    """The monthly review at ``now``: ``(tier, grace_until)`` after it.

    Up (or level) at once and without grace; below the tier's threshold, a month's grace
    (``grace_end``: the next review) the first time, and the move down when the grace has ended.
    """
    earned = tier_for(qualifying_points)
    if rank(earned) >= rank(tier):
        return earned, None
    if grace_until is None:
        return Tier(terms_of(tier).tier), grace_end
    if grace_until <= now:
        return earned, None
    return Tier(terms_of(tier).tier), grace_until


def month_key(now, timezone):
    """The store's calendar month of ``now`` (aware): ``"2026-12"``."""
    local = now.astimezone(ZoneInfo(timezone))
    return f"{local.year:04d}-{local.month:02d}"


def next_month_start(now, timezone):
    """Midnight on the 1st of the next month, store time, as an aware UTC datetime."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime.combine(datetime(year, month, 1).date(), time(0), zone).astimezone(ZoneInfo("UTC"))
