"""The wallet ledger. The balance is the sum of entries; ``Wallet.balance_cents`` is that sum kept
in step inside the same transaction, so a debit can be a conditional UPDATE that never goes
below zero even when two checkouts race."""
from ..database import UTCDateTime, utcnow
from ..extensions import db


class Wallet(db.Model):
    __tablename__ = "wallets"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    balance_cents = db.Column(db.Integer, nullable=False, default=0)

    __table_args__ = (db.CheckConstraint("balance_cents >= 0", name="balance_not_negative"),)


class WalletEntry(db.Model):
    """One movement of money: positive in (top-up, refund), negative out (payment)."""

    __tablename__ = "wallet_entries"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    amount_cents = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.String(20), nullable=False)  # topup, payment, refund, adjustment
    # What staff typed (a top-up's note), shown as typed. What the app writes is a key of
    # ``wallet.presenters.NOTES`` with its parameters, translated when shown.
    note = db.Column(db.String(200), nullable=False, default="")
    note_key = db.Column(db.String(40), nullable=True)
    note_params = db.Column(db.JSON, nullable=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=True, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        db.CheckConstraint("reason IN ('topup', 'payment', 'refund', 'adjustment')", name="reason_valid"),
    )
