"""Parcel station rules, pure: where a parcel goes on the shelves, its label code, its pickup code,
what storing it costs, and which step of the overdue ladder is due. ``now`` is always passed in."""
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

SIZES = ("small", "medium", "large")
# Shelf space a parcel takes, in units of a tier's capacity.
SIZE_UNITS = {"small": 1, "medium": 2, "large": 4}
MAX_SEQUENCE = 999
CODE_DIGITS = 6
MAX_CODE_MISSES = 5
TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{6,40}$")
DAY = timedelta(days=1)


def is_code_locked(code_misses):
    """True once the counter typed a wrong code for the parcel ``MAX_CODE_MISSES`` times: the code
    no longer hands it over until staff re-issue one."""
    return code_misses >= MAX_CODE_MISSES


@dataclass(frozen=True)
class TierSpace:
    """One tier of one shelf: how much it holds and how much is taken by waiting parcels."""

    shelf: int       # the shelf's number, as painted on it
    tier: int        # 1 = the top tier
    capacity: int    # in size units
    used: int


def propose_slot(tiers, size):
    """The tier a parcel of ``size`` should go on, or None when nothing has room.

    Fills evenly: the tier that is least full once the parcel is on it; large parcels prefer the
    lower tiers (easier to lift), ties go to the lower shelf number, then the upper tier.
    """
    units = SIZE_UNITS[size]
    fitting = [t for t in tiers if t.capacity > 0 and t.used + units <= t.capacity]
    if not fitting:
        return None

    def key(t):
        fill = (t.used + units) / t.capacity
        lower_first = -t.tier if size == "large" else t.tier
        return (round(fill, 6), t.shelf, lower_first)
    return min(fitting, key=key)


def next_sequence(taken, last=0):
    """The next free slot number on a tier: after ``last`` (the most recent one given), wrapping
    round, skipping the numbers waiting parcels still carry. None when all 999 are taken."""
    taken = set(taken)
    for step in range(1, MAX_SEQUENCE + 1):
        candidate = (last + step - 1) % MAX_SEQUENCE + 1
        if candidate not in taken:
            return candidate
    return None


def shelf_code(shelf, tier, sequence):
    """The label code, shelf-tier-sequence: ``3-2-015``."""
    return f"{shelf}-{tier}-{sequence:03d}"


def parse_shelf_code(text):
    """``"3-2-015"`` -> ``(3, 2, 15)``, or None."""
    match = re.fullmatch(r"\s*(\d{1,3})-(\d{1,2})-(\d{1,3})\s*", text or "")
    return tuple(int(g) for g in match.groups()) if match else None


def new_code_nonce():
    """A fresh random nonce (``secrets``) from which a parcel's pickup code is derived."""
    return secrets.token_hex(16)


def derive_code(secret, nonce):
    """The six-digit pickup code of a nonce: an HMAC of it under the app's secret key, so the
    database alone (nonce and hash) gives nobody the code, yet the resident's page can show it."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"pickup:{nonce}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10 ** CODE_DIGITS:0{CODE_DIGITS}d}"


def is_code_shaped(code):
    return isinstance(code, str) and len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


def hash_code(secret, store_id, code):
    """What is stored instead of the code: an HMAC keyed by the app's secret, so a copy of the
    database does not give the codes away, yet a typed code can still be looked up."""
    message = f"{store_id}:{code}".encode()
    return hmac.new(secret.encode() if isinstance(secret, str) else secret, message, hashlib.sha256).hexdigest()


def normalise_tracking(text):
    """A tracking number as stored: trimmed, upper case; None when it cannot be one."""
    value = (text or "").strip().upper()
    return value if TRACKING_RE.match(value) else None


@dataclass(frozen=True)
class FeeRules:
    """Per store: free days, then a fee per started day."""

    free_days: int = 3
    per_day_cents: int = 100


def storage_fee_cents(checked_in_at, now, rules=FeeRules()):
    """What collecting costs at ``now``: nothing during the free days, then ``per_day_cents`` for
    each day begun after them (3 free days: 3 days on the shelf is free, 3 days and 1 hour costs one day)."""
    days = storage_days(checked_in_at, now)
    return max(0, days - rules.free_days) * rules.per_day_cents


def storage_days(checked_in_at, now):
    """Days begun since check-in (0 at check-in, 1 for the first 24 hours...)."""
    seconds = max(0.0, (now - checked_in_at).total_seconds())
    return math.ceil(seconds / DAY.total_seconds())


@dataclass(frozen=True)
class Ladder:
    """Per store: when residents are reminded, and when a parcel goes back to the carrier."""

    first_reminder_h: int = 24
    second_reminder_h: int = 72
    return_after_days: int = 7


def due_step(checked_in_at, now, done, ladder=Ladder()):
    """The step of the overdue ladder due now and not ``done`` yet (a set of step names), or None:
    ``"return"`` before ``"remind_2"`` before ``"remind_1"`` (a late run does only the latest step)."""
    age = now - checked_in_at
    if age >= timedelta(days=ladder.return_after_days):
        return None if "return" in done else "return"
    if age >= timedelta(hours=ladder.second_reminder_h):
        return None if "remind_2" in done else "remind_2"
    if age >= timedelta(hours=ladder.first_reminder_h):
        return None if {"remind_1", "remind_2"} & done else "remind_1"
    return None


def days_before_return(checked_in_at, now, ladder=Ladder()):
    """Whole days left before the parcel goes back to the carrier (0 on the last day)."""
    left = checked_in_at + timedelta(days=ladder.return_after_days) - now
    return max(0, math.floor(left.total_seconds() / DAY.total_seconds()))
