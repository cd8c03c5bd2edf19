"""Wallet verbs. Every movement is a ledger entry; the balance row moves with it in the same
transaction, and a debit is a conditional UPDATE, so two payments racing can never overdraw."""
import json

from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.operations import get_user_by_phone
from ..database import UTCDateTime, json_rows
from ..extensions import db
from ..roles import Role
from .errors import AmountInvalid, BalanceChanged, InsufficientFunds
from .models import Wallet, WalletEntry

MAX_TOPUP_CENTS = 500_000


def get_balance(user_id):
    """The wallet balance in cents (0 for a resident who never had one)."""
    return db.session.scalar(db.select(Wallet.balance_cents).where(Wallet.user_id == user_id)) or 0


def list_entries(user_id, limit=50):
    """The newest ledger entries first."""
    return db.session.scalars(db.select(WalletEntry).where(WalletEntry.user_id == user_id)
                              .order_by(WalletEntry.created_at.desc(), WalletEntry.id.desc()).limit(limit)).all()


def ledger_sum(user_id):
    """The balance recomputed from the ledger (the invariant ``Wallet.balance_cents`` must equal)."""
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(WalletEntry.amount_cents), 0))
                             .where(WalletEntry.user_id == user_id))


def _add_to_balance(user_id, store_id, amount_cents):
    updated = db.session.execute(db.update(Wallet).where(Wallet.user_id == user_id)
                                 .values(balance_cents=Wallet.balance_cents + amount_cents)).rowcount
    if updated:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Wallet(user_id=user_id, store_id=store_id, balance_cents=amount_cents))
    except IntegrityError:  # another transaction created the wallet first
        db.session.execute(db.update(Wallet).where(Wallet.user_id == user_id)
                           .values(balance_cents=Wallet.balance_cents + amount_cents))


def credit(user_id, store_id, amount_cents, reason, *, now, note="", order_id=None, actor_id=None,
           note_key=None, note_params=None):
    """Put money in (top-up, refund); returns the entry.

    ``note`` is what a person typed; what the app says goes in ``note_key`` (a key of
    ``presenters.NOTES``) with ``note_params``, translated when shown."""
    if amount_cents <= 0:
        raise AmountInvalid(amount_cents)
    _add_to_balance(user_id, store_id, amount_cents)
    entry = WalletEntry(user_id=user_id, store_id=store_id, amount_cents=amount_cents, reason=reason,
                        note=note, note_key=note_key, note_params=note_params, order_id=order_id,
                        actor_id=actor_id, created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def debit(user_id, store_id, amount_cents, reason="payment", *, now, note="", order_id=None, actor_id=None,
          note_key=None, note_params=None):
    """Take money out, only if the balance covers it; ``InsufficientFunds`` otherwise (notes as ``credit``).

    Two plain statements (a checkout's hot path): the guarded UPDATE, then the ledger INSERT.
    """
    if amount_cents <= 0:
        raise AmountInvalid(amount_cents)
    taken = db.session.execute(
        db.update(Wallet).where(Wallet.user_id == user_id, Wallet.balance_cents >= amount_cents)
        .values(balance_cents=Wallet.balance_cents - amount_cents)
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise InsufficientFunds(amount_cents)
    db.session.execute(db.insert(WalletEntry).values(
        user_id=user_id, store_id=store_id, amount_cents=-amount_cents, reason=reason, note=note,
        note_key=note_key, note_params=note_params, order_id=order_id, actor_id=actor_id, created_at=now))


def top_up(staff, resident, amount_cents, now, note="", expected_balance_cents=None):
    """Staff take cash or a card at the counter and credit the resident's wallet (1 fen to ¥5,000).

    With ``expected_balance_cents`` (the balance the counter saw) the credit is a compare-and-set:
    a form sent twice, or two counters at once, credit once and the other gets ``BalanceChanged``.
    """
    if not 0 < amount_cents <= MAX_TOPUP_CENTS:
        raise AmountInvalid(amount_cents)
    if expected_balance_cents is None:
        return credit(resident.id, resident.store_id, amount_cents, "topup", now=now, note=note, actor_id=staff.id)
    _add_if_balance_is(resident, expected_balance_cents, amount_cents)
    entry = WalletEntry(user_id=resident.id, store_id=resident.store_id, amount_cents=amount_cents,
                        reason="topup", note=note, actor_id=staff.id, created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def _add_if_balance_is(resident, expected_cents, amount_cents):
    updated = db.session.execute(
        db.update(Wallet).where(Wallet.user_id == resident.id, Wallet.balance_cents == expected_cents)
        .values(balance_cents=Wallet.balance_cents + amount_cents)).rowcount
    if updated:
        return
    has_wallet = db.session.scalar(db.select(Wallet.user_id).where(Wallet.user_id == resident.id))
    if has_wallet is not None or expected_cents != 0:
        raise BalanceChanged(expected_cents)
    try:
        with db.session.begin_nested():
            db.session.add(Wallet(user_id=resident.id, store_id=resident.store_id,
                                  balance_cents=amount_cents))
    except IntegrityError:  # another counter created the wallet first
        raise BalanceChanged(expected_cents) from None


def get_store_resident(store_id, user_id):
    """A resident of this store, or None (anyone else is 'missing')."""
    return db.session.scalar(db.select(User).where(User.id == user_id, User.store_id == store_id,
                                                   User.role == Role.RESIDENT.value))


def find_store_resident(store_id, phone):
    """The resident of this store with this phone number (any common way of typing it), or None."""
    user = get_user_by_phone(phone)
    if user is None or user.store_id != store_id or user.role != Role.RESIDENT.value:
        return None
    return user


def debit_many(debits, *, now):
    """Take money out of many wallets in a few statements (a batch job's charges); returns the user ids
    whose wallet was debited. ``debits`` are dicts of ``user_id, store_id, amount_cents`` (one per
    user, all positive) and ``entries``: the ledger entries that make up the amount (dicts of
    ``amount_cents`` and the notes of ``credit``; their amounts add up to ``amount_cents``).

    One guarded UPDATE for them all (``balance_cents >= amount``, the amounts sent as one JSON
    parameter, RETURNING the debited ids), then one INSERT ... SELECT of the entries of those debited: a
    wallet whose balance changed under the job is left alone and its id missing from the answer,
    never overdrawn.
    """
    if any(d["amount_cents"] <= 0 or sum(e["amount_cents"] for e in d["entries"]) != d["amount_cents"]
           for d in debits):
        raise AmountInvalid(0)
    if not debits:
        return set()
    done = set(db.session.execute(db.text(
        "UPDATE wallets SET balance_cents = wallets.balance_cents - debits.amount_cents"
        f" FROM {json_rows('debits', (('user_id', 'integer'), ('amount_cents', 'integer')))}"
        " WHERE wallets.user_id = debits.user_id AND wallets.balance_cents >= debits.amount_cents"
        " RETURNING wallets.user_id"),
        {"debits": json.dumps([{"user_id": d["user_id"], "amount_cents": d["amount_cents"]} for d in debits])})
        .scalars())
    entries = [{"user_id": d["user_id"], "store_id": d["store_id"], "amount_cents": -entry["amount_cents"],
                "reason": entry.get("reason", "payment"), "note": entry.get("note", ""),
                "note_key": entry.get("note_key"), "note_params": entry.get("note_params"),
                "actor_id": entry.get("actor_id")}
               for d in debits if d["user_id"] in done for entry in d["entries"]]
    if entries:
        columns = (("user_id", "integer"), ("store_id", "integer"), ("amount_cents", "integer"), ("reason", "text"),
                   ("note", "text"), ("note_key", "text"), ("note_params", "json"), ("actor_id", "integer"))
        names = ", ".join(name for name, _kind in columns)
        db.session.execute(db.text(
            f"INSERT INTO wallet_entries ({names}, created_at) SELECT {names}, :now FROM {json_rows('entries', columns)}")
            .bindparams(db.bindparam("now", type_=UTCDateTime())), {"entries": json.dumps(entries), "now": now})
    return done
