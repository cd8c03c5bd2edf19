"""The vendors' ledger: every amount a vendor earns, owes or is paid, in integer cents, one entry per
movement (``VendorLedgerEntry``). A vendor's balance is the sum of its entries and may go negative
(chargebacks); one entry of each kind per booking, so a retried step never books twice."""
from sqlalchemy.exc import IntegrityError

from store_app.extensions import db

from .booking_models import LedgerKind, VendorLedgerEntry


def commission_cents(price_cents, commission_bps):
    """The store's share of ``price_cents`` at ``commission_bps`` (1/100 %), rounded half up to a cent."""
    return (price_cents * commission_bps + 5000) // 10000


def post(vendor_id, kind, amount_cents, *, now, booking_id=None, note="", actor_id=None):
    """Add one entry; a second entry of the same kind for the same booking is ignored (returns None)."""
    if amount_cents == 0:
        return None
    entry = VendorLedgerEntry(vendor_id=vendor_id, booking_id=booking_id, kind=LedgerKind(kind).value,
                              amount_cents=amount_cents, note=note, actor_id=actor_id, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        return None
    return entry


def balance_cents(vendor_id):
    """What the store owes the vendor now (negative: what the vendor owes the store)."""
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(VendorLedgerEntry.amount_cents), 0))
                             .where(VendorLedgerEntry.vendor_id == vendor_id))


def record_completion(booking, *, now):
    """A completed job's money: through the store, the vendor earns the price (plus approved extras) and
    the store keeps its commission; in cash, the vendor took the price already and owes the commission.

    A resident's coupon is the store's: the earning and the commission are on the price before it. In
    cash the vendor took only the price after the coupon, so the store owes them the coupon's amount."""
    gross = booking.price_cents + booking.extras_cents
    post(booking.vendor_id, LedgerKind.EARNING, gross, now=now, booking_id=booking.id)
    if booking.payment_method == "cash":
        post(booking.vendor_id, LedgerKind.CASH_TAKEN, -(gross - booking.discount_cents), now=now,
             booking_id=booking.id)
    post(booking.vendor_id, LedgerKind.COMMISSION, -commission_cents(gross, booking.commission_bps), now=now,
         booking_id=booking.id)


def balance_before_cents(vendor_id, at):
    """The vendor's balance from every entry made before the instant ``at``."""
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(VendorLedgerEntry.amount_cents), 0))
                             .where(VendorLedgerEntry.vendor_id == vendor_id, VendorLedgerEntry.created_at < at))


def list_entries_between(vendor_id, start, end):
    """The vendor's entries made in ``[start, end)``, oldest first (ties by id)."""
    return db.session.scalars(db.select(VendorLedgerEntry).where(
        VendorLedgerEntry.vendor_id == vendor_id, VendorLedgerEntry.created_at >= start,
        VendorLedgerEntry.created_at < end).order_by(VendorLedgerEntry.created_at, VendorLedgerEntry.id)).all()


def balances_by_vendor(vendor_ids):
    """``{vendor_id: balance_cents}`` for each of ``vendor_ids`` (0 for one with no entries)."""
    if not vendor_ids:
        return {}
    rows = db.session.execute(db.select(VendorLedgerEntry.vendor_id, db.func.sum(VendorLedgerEntry.amount_cents))
                              .where(VendorLedgerEntry.vendor_id.in_(vendor_ids))
                              .group_by(VendorLedgerEntry.vendor_id)).all()
    found = {vendor_id: int(total) for vendor_id, total in rows}
    return {vendor_id: found.get(vendor_id, 0) for vendor_id in vendor_ids}


def amount_of(booking_id, kind):
    """The amount of the entry of ``kind`` for a booking (0 when there is none)."""
    return db.session.scalar(db.select(VendorLedgerEntry.amount_cents).where(
        VendorLedgerEntry.booking_id == booking_id, VendorLedgerEntry.kind == LedgerKind(kind).value)) or 0
