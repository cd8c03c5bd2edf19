"""Wallet verbs. Every movement is a ledger entry; the balance row moves with it in the same
transaction, and a debit is a conditional UPDATE, so two payments racing can never overdraw."""
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .errors import AmountInvalid, InsufficientFunds
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


def credit(user_id, store_id, amount_cents, reason, *, note="", order_id=None, actor_id=None):
    """Put money in (top-up, refund); returns the entry."""
    if amount_cents <= 0:
        raise AmountInvalid(amount_cents)
    _add_to_balance(user_id, store_id, amount_cents)
    entry = WalletEntry(user_id=user_id, store_id=store_id, amount_cents=amount_cents, reason=reason,
                        note=note, order_id=order_id, actor_id=actor_id)
    db.session.add(entry)
    db.session.flush()
    return entry


def debit(user_id, store_id, amount_cents, reason="payment", *, note="", order_id=None, actor_id=None):
    """Take money out, only if the balance covers it; ``InsufficientFunds`` otherwise."""
    if amount_cents <= 0:
        raise AmountInvalid(amount_cents)
    taken = db.session.execute(
        db.update(Wallet).where(Wallet.user_id == user_id, Wallet.balance_cents >= amount_cents)
        .values(balance_cents=Wallet.balance_cents - amount_cents)).rowcount
    if not taken:
        raise InsufficientFunds(amount_cents)
    entry = WalletEntry(user_id=user_id, store_id=store_id, amount_cents=-amount_cents, reason=reason,
                        note=note, order_id=order_id, actor_id=actor_id)
    db.session.add(entry)
    db.session.flush()
    return entry


def top_up(staff, resident, amount_cents, note=""):
    """Staff take cash or a card at the counter and credit the resident's wallet."""
    if not 0 < amount_cents <= MAX_TOPUP_CENTS:
        raise AmountInvalid(amount_cents)
    return credit(resident.id, resident.store_id, amount_cents, "topup", note=note, actor_id=staff.id)
