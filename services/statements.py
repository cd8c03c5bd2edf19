"""A vendor's monthly statement (months of the store's time zone), read from the vendor ledger: the
jobs, gross, the store's commission, refunds, chargebacks, cash taken on site, fee shares, payouts,
the balance at both ends of the month and what a payout would pay now. Exported as CSV and XLSX.

The statement's totals are sums of ledger entries, so they always equal the ledger."""
import io
from dataclasses import dataclass, field

import xlsxwriter
from flask_babel import gettext as _

from store_app.database import format_cents
from store_app.extensions import db

from . import ledger
from .booking_models import LedgerKind
from .models import Vendor, VettingStatus
from .money_rules import month_bounds, owed_by_vendor_cents, payout_due_cents


@dataclass
class Statement:
    """One vendor's month: totals per ledger kind (signed cents, as in the ledger) and its entries."""

    vendor: object
    month: object              # the first day of the month (a date)
    opening_cents: int         # the balance when the month began
    closing_cents: int         # the balance when it ended (or now, for the current month)
    balance_cents: int         # the balance now
    totals: dict = field(default_factory=dict)
    entries: list = field(default_factory=list)

    @property
    def jobs(self):
        """Jobs completed in the month (one earning each)."""
        return sum(1 for entry in self.entries if entry.kind == LedgerKind.EARNING.value)

    @property
    def net_cents(self):
        return self.closing_cents - self.opening_cents

    @property
    def payout_due_cents(self):
        return payout_due_cents(self.balance_cents)

    @property
    def owed_cents(self):
        return owed_by_vendor_cents(self.balance_cents)

    def total(self, kind):
        return self.totals.get(LedgerKind(kind).value, 0)


def load_statement(vendor, month, tz_name):
    """The statement of ``vendor`` for the store month starting on ``month`` (a date, the 1st)."""
    start, end = month_bounds(month, tz_name)
    entries = ledger.list_entries_between(vendor.id, start, end)
    totals = {kind.value: 0 for kind in LedgerKind}
    for entry in entries:
        totals[entry.kind] = totals.get(entry.kind, 0) + entry.amount_cents
    opening = ledger.balance_before_cents(vendor.id, start)
    return Statement(vendor=vendor, month=month, opening_cents=opening,
                     closing_cents=opening + sum(totals.values()), balance_cents=ledger.balance_cents(vendor.id),
                     totals=totals, entries=entries)


def list_statements(store_id, month, tz_name):
    """Every vetted vendor's statement of the store for the month, by name then id."""
    vendors = db.session.scalars(db.select(Vendor).where(Vendor.store_id == store_id,
                                                         Vendor.vetting == VettingStatus.APPROVED.value)
                                 .order_by(Vendor.name, Vendor.id)).all()
    return [load_statement(vendor, month, tz_name) for vendor in vendors]


def kind_label(kind):
    """A ledger kind as the vendor reads it."""
    labels = {
        "earning": _("Job price"), "commission": _("Store commission"), "cash_taken": _("Cash taken on site"),
        "fee_share": _("Cancellation fee share"), "refund": _("Refund"), "chargeback": _("Chargeback"),
        "payout": _("Payout"), "adjustment": _("Adjustment"),
    }
    return labels.get(kind, kind)


SUMMARY_KINDS = ("earning", "commission", "refund", "chargeback", "cash_taken", "fee_share", "payout", "adjustment")


def summary_rows(statement):
    """``[(label, cents)]``: the month's totals in the statement's order, then the balances."""
    rows = [(_("Opening balance"), statement.opening_cents)]
    rows += [(kind_label(kind), statement.total(kind)) for kind in SUMMARY_KINDS]
    rows += [(_("Closing balance"), statement.closing_cents), (_("Balance now"), statement.balance_cents),
             (_("Payout due"), statement.payout_due_cents), (_("Owed by the vendor"), statement.owed_cents)]
    return rows


def _yuan(cents):
    return format_cents(cents, symbol="")


def export_rows(statement, tz_name):
    """The statement as table rows (a title line, the summary, then every entry), amounts in yuan."""
    from store_app.web.filters import local_datetime

    rows = [[_("Statement"), statement.vendor.name, statement.month.strftime("%Y-%m")],
            [_("Jobs"), statement.jobs], []]
    rows += [[label, _yuan(cents)] for label, cents in summary_rows(statement)]
    rows += [[], [_("Date"), _("Entry"), _("Booking"), _("Amount (yuan)"), _("Note")]]
    rows += [[local_datetime(entry.created_at, tz_name, "yyyy-MM-dd HH:mm"), kind_label(entry.kind),
              entry.booking_id or "", _yuan(entry.amount_cents), entry.note] for entry in statement.entries]
    return rows


def xlsx_bytes(statement, tz_name):
    """The statement as an XLSX workbook (one sheet; amounts as numbers in yuan, strings never formulas)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(statement.month.strftime("%Y-%m"))
    money = book.add_format({"num_format": "0.00"})
    for row_index, row in enumerate(export_rows(statement, tz_name)):
        for col, value in enumerate(row):
            if isinstance(value, str) and _is_amount(value):
                sheet.write_number(row_index, col, float(value), money)
            elif isinstance(value, int):
                sheet.write_number(row_index, col, value)
            else:
                sheet.write_string(row_index, col, str(value))
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 4, 16)
    book.close()
    return out.getvalue()


def _is_amount(text):
    body = text[1:] if text.startswith("-") else text
    whole, dot, frac = body.partition(".")
    return bool(dot) and whole.isdigit() and len(frac) == 2 and frac.isdigit()
