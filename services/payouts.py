"""Paying a vendor: staff record a payout of the balance minus the reserve (``money_rules``).

Two staff paying the same vendor at once: the vendor's row is locked by an UPDATE first (PostgreSQL
holds the second until the first commits; SQLite runs one writer at a time), so the second reads the
balance after the first payout and finds nothing more to pay. A replayed form (same idempotency key)
returns the first payout."""
from store_app.extensions import db

from . import ledger, money_notices
from .booking_models import LedgerKind, VendorLedgerEntry
from .errors import NotFound, NothingToPay
from .models import Vendor
from .money_rules import payout_due_cents


def _lock_vendor(store_id, vendor_id):
    locked = db.session.execute(db.update(Vendor).where(Vendor.id == vendor_id, Vendor.store_id == store_id)
                                .values(score=Vendor.score).execution_options(synchronize_session=False)).rowcount
    if not locked:
        raise NotFound()
    return db.session.get(Vendor, vendor_id)


def pay_out(staff, vendor_id, now, idempotency_key=""):
    """Record a payout to the vendor of the staff's store: the balance minus the reserve, as a PAYOUT
    entry (negative). ``NothingToPay`` when the balance is at or below the reserve; returns the entry."""
    vendor = _lock_vendor(staff.store_id, vendor_id)
    marker = f"payout:{idempotency_key}" if idempotency_key else ""
    if marker:
        earlier = db.session.scalar(db.select(VendorLedgerEntry).where(
            VendorLedgerEntry.vendor_id == vendor.id, VendorLedgerEntry.kind == LedgerKind.PAYOUT.value,
            VendorLedgerEntry.note == marker))
        if earlier is not None:
            return earlier
    due = payout_due_cents(ledger.balance_cents(vendor.id))
    if due <= 0:
        raise NothingToPay()
    entry = ledger.post(vendor.id, LedgerKind.PAYOUT, -due, now=now, note=marker, actor_id=staff.id)
    db.session.flush()
    money_notices.tell_vendor_paid(vendor, due, now)
    return entry
