"""Wallet pages: the counter finds a resident by phone and tops up; a resident reads their ledger."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..database import MoneyError, format_cents, parse_cents, transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.forms import show_error
from ..web.guards import role_required
from . import operations, presenters
from .forms import TopUpForm

bp = Blueprint("wallet", __name__)
bp.add_app_template_global(operations.get_balance, "wallet_balance")
staff_only = role_required(Role.STAFF, Role.OWNER)

ENTRY_REASONS = {"topup": _l("Top-up"), "payment": _l("Payment"), "refund": _l("Refund"),
                 "adjustment": _l("Adjustment")}
bp.add_app_template_global(ENTRY_REASONS, "WALLET_ENTRY_REASONS")
bp.add_app_template_global(presenters.entry_note, "wallet_entry_note")
RECENT_ENTRIES = 20


def _render_console(status=200, **context):
    page = render_template("wallet/console.html", **{"resident": None, "form": None, "phone": "", **context})
    return page, status


@bp.get("/console/wallet")
@staff_only
def console():
    """Find a resident of the store by their phone number."""
    phone = request.args.get("phone", "").strip()
    if not phone:
        return _render_console()
    resident = operations.find_store_resident(current_user.store_id, phone)
    if resident is None:
        flash(_("No resident of this store has that phone number."), "error")
        return _render_console(404, phone=phone)
    return redirect(url_for("wallet.resident_wallet", user_id=resident.id))


def _resident_or_404(user_id):
    resident = operations.get_store_resident(current_user.store_id, user_id)
    if resident is None:
        abort(404)
    return resident


def _render_resident(resident, form, status=200):
    balance = operations.get_balance(resident.id)
    form.expected_balance_cents.data = str(balance)  # what the counter sees is what it confirms
    return _render_console(status, resident=resident, form=form, balance_cents=balance,
                           entries=operations.list_entries(resident.id, RECENT_ENTRIES))


@bp.get("/console/wallet/<int:user_id>")
@staff_only
def resident_wallet(user_id):
    """A resident's balance, their recent entries and the top-up form."""
    return _render_resident(_resident_or_404(user_id), TopUpForm())


def _expected_balance(form):
    try:
        return int(form.expected_balance_cents.data)
    except (TypeError, ValueError):
        return -1  # no balance can match: the form did not come from the page


@bp.post("/console/wallet/<int:user_id>/top-up")
@staff_only
def top_up(user_id):
    """Credit the wallet with the cash or card taken at the counter (¥0.01 to ¥5,000)."""
    resident = _resident_or_404(user_id)
    form = TopUpForm()
    if not form.validate_on_submit():
        return _render_resident(resident, form, 400)
    try:
        amount_cents = parse_cents(form.amount.data)
    except MoneyError:
        form.amount.errors.append(_("Enter an amount in yuan, like 50 or 12.50."))
        return _render_resident(resident, form, 400)
    try:
        with transaction():
            operations.top_up(current_user, resident, amount_cents, utcnow(), (form.note.data or "").strip(),
                              expected_balance_cents=_expected_balance(form))
    except DomainError as exc:
        show_error(form, exc)
        return _render_resident(resident, form, exc.status)
    flash(_("Topped up %(amount)s. New balance: %(balance)s.", amount=format_cents(amount_cents),
            balance=format_cents(operations.get_balance(resident.id))), "success")
    return redirect(url_for("wallet.resident_wallet", user_id=user_id), 303)


@bp.get("/wallet")
@role_required(Role.RESIDENT)
def my_wallet():
    """The resident's balance and every movement of their wallet, newest first."""
    return render_template("wallet/wallet.html", balance_cents=operations.get_balance(current_user.id),
                           entries=operations.list_entries(current_user.id, 100))
