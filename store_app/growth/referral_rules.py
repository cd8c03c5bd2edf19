"""Referrals as pure rules: invite codes, who may be invited, when the reward is due and when it is
taken back.

**Codes.** A resident's invite code is their account id encoded with sqids, using an alphabet of
the store's own (a fixed shuffle per store, without the look-alike 0/O/1/l/I) and at least 6
characters. A code decodes only to the one id it was made from (a re-encoding must give it back).

**Who may be invited** (checked when the friend signs up with the code):
- nobody invites themselves (same account or same phone);
- nobody invites an existing customer: a phone that already has an account, or a household (building
  and unit, however the unit is typed) where the inviter or another resident already lives;
- one inviter per friend (a database rule too).

**Reward.** Both the inviter and the friend get ``REWARD_POINTS`` points once the friend's first
completed purchase with at least ``QUALIFYING_MIN_GOODS_CENTS`` of goods kept (refunds counted
against goods first) is past its refund window. If that purchase is refunded afterwards so that
less than that is kept, both rewards are taken back (the balance never goes below zero: the rest is
recorded as a shortfall).
"""
import random
import unicodedata
from dataclasses import dataclass

from sqids import Sqids

REWARD_POINTS = 300                     # each, to the inviter and to the friend
QUALIFYING_MIN_GOODS_CENTS = 1_000      # ¥10 of goods kept on the friend's first purchase
CODE_MIN_LENGTH = 6
MAX_USER_ID = 2_147_483_647             # the database's integer ids end here
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DASHES = "‐‑‒–—―－_﹣"


def store_alphabet(store_id):
    """The store's own shuffle of the code alphabet (the same on every run and machine)."""
    letters = list(_ALPHABET)
    random.Random(f"invite-alphabet:{int(store_id)}").shuffle(letters)
    return "".join(letters)


def _coder(store_id):
    return Sqids(alphabet=store_alphabet(store_id), min_length=CODE_MIN_LENGTH)


def invite_code(store_id, user_id):
    """The resident's personal invite code in their store."""
    return _coder(store_id).encode([int(user_id)])


def decode_invite(store_id, code):
    """The account id an invite code names in this store, or None for anything else."""
    text = (code or "").strip()
    if not CODE_MIN_LENGTH <= len(text) <= 20 or any(ch not in _ALPHABET for ch in text):
        return None
    coder = _coder(store_id)
    ids = coder.decode(text)
    # A long string decodes to numbers past any account id (and past what sqids encodes back).
    if len(ids) != 1 or not 1 <= ids[0] <= MAX_USER_ID or coder.encode(ids) != text:
        return None
    return ids[0]


def normalise_unit(unit):
    """A unit as typed ("2-1203", " 2－1203 ", "2 - 1203") -> one form ("2-1203"), to compare households."""
    text = unicodedata.normalize("NFKC", unit or "").casefold()
    text = "".join("-" if ch in _DASHES else ch for ch in text)
    return "".join(text.split())


def household(building_id, unit):
    """A household: ``(building id, normalised unit)``."""
    return (int(building_id), normalise_unit(unit))


@dataclass(frozen=True)
class Person:
    """What the rules need of a resident: id, phone (E.164) and households."""

    user_id: int | None
    phone: str
    households: frozenset = frozenset()


class Refusal:
    """Why an invitation may not be used (the keys views turn into messages)."""

    SELF = "self"                     # the code is the friend's own
    EXISTING_PHONE = "existing_phone"  # the phone already has an account
    SAME_HOUSEHOLD = "same_household"  # the friend lives where the inviter lives
    KNOWN_HOUSEHOLD = "known_household"  # another resident of the store already lives there
    ALREADY_INVITED = "already_invited"  # the friend already has an inviter


def invite_refusal(inviter, invitee, *, known_phones=frozenset(), known_households=frozenset(),
                   already_invited=False):
    """The ``Refusal`` that forbids ``inviter`` inviting ``invitee``, or None when it may stand.

    ``known_phones`` and ``known_households`` are those of the store's other residents (neither the
    inviter nor the invitee)."""
    if (invitee.user_id is not None and invitee.user_id == inviter.user_id) or invitee.phone == inviter.phone:
        return Refusal.SELF
    if already_invited:
        return Refusal.ALREADY_INVITED
    if invitee.phone in known_phones:
        return Refusal.EXISTING_PHONE
    if invitee.households & inviter.households:
        return Refusal.SAME_HOUSEHOLD
    if invitee.households & frozenset(known_households):
        return Refusal.KNOWN_HOUSEHOLD
    return None


@dataclass(frozen=True)
class PurchaseFacts:
    """A friend's purchase as the reward rule sees it."""

    purchase_id: int
    completed_at: object          # aware UTC datetime, None until completed
    refund_window_ends_at: object  # aware UTC datetime or None
    goods_cents: int
    refunded_cents: int


def kept_goods_cents(goods_cents, refunded_cents):
    """Goods the resident kept after refunds (refunds count against the goods first)."""
    return max(0, goods_cents - max(0, refunded_cents))


def qualifies(purchase):
    """A completed purchase with enough goods kept to count for a referral."""
    return (purchase.completed_at is not None
            and kept_goods_cents(purchase.goods_cents, purchase.refunded_cents) >= QUALIFYING_MIN_GOODS_CENTS)


def qualifying_purchase(purchases):
    """The friend's first completed purchase that counts (by completion time, then id), or None."""
    counting = [p for p in purchases if qualifies(p)]
    return min(counting, key=lambda p: (p.completed_at, p.purchase_id)) if counting else None


def reward_due(purchase, now):
    """The reward is due for this qualifying purchase once its refund window has passed at ``now``."""
    return (purchase is not None and qualifies(purchase) and purchase.refund_window_ends_at is not None
            and purchase.refund_window_ends_at <= now)


def reward_taken_back(goods_cents, refunded_cents):
    """After a refund of the rewarded purchase: True when too little of it is kept to count."""
    return kept_goods_cents(goods_cents, refunded_cents) < QUALIFYING_MIN_GOODS_CENTS
