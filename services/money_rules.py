"""The marketplace's money rules, pure: what a payout may pay, and a store month's bounds.

The reserve: a payout leaves ``PAYOUT_RESERVE_CENTS`` (¥200) on the vendor's balance, so that a
chargeback arriving after the payout (a guarantee refund within the window) is still covered; a
balance at or below the reserve pays nothing, and a negative balance is owed by the vendor.
"""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

PAYOUT_RESERVE_CENTS = 20_000


def payout_due_cents(balance_cents, reserve_cents=PAYOUT_RESERVE_CENTS):
    """What a payout pays now: the balance minus the reserve, or 0 when the balance is at most the reserve."""
    if balance_cents <= reserve_cents:
        return 0
    return balance_cents - reserve_cents


def owed_by_vendor_cents(balance_cents):
    """What the vendor owes the store (a negative balance, after chargebacks), as a positive amount; else 0."""
    return -balance_cents if balance_cents < 0 else 0


def month_of(now, tz_name):
    """The first day of the store month (in ``tz_name``) that contains the aware instant ``now``."""
    local = now.astimezone(ZoneInfo(tz_name))
    return date(local.year, local.month, 1)


def shift_month(first, months):
    """The first day of the month ``months`` after (or before, negative) the month starting ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(first, tz_name):
    """``(start, end)``: aware UTC instants of the store month starting on ``first``, end excluded."""
    zone = ZoneInfo(tz_name)
    start = datetime.combine(first, time(0), zone).astimezone(timezone.utc)
    end = datetime.combine(shift_month(first, 1), time(0), zone).astimezone(timezone.utc)
    return start, end


def parse_month(text):
    """``"2026-11"`` -> ``date(2026, 11, 1)``; None for anything else (a year from 2000 to 2999)."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()) or not text.isascii():
        return None
    year, month = int(text[:4]), int(text[5:])
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        return None
    return date(year, month, 1)
