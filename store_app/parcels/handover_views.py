"""The counter's parcel handover at /console/parcels/handover: the resident's code (typed, or scanned
from their phone's QR by a keyboard-wedge scanner) shows every parcel waiting for them, with shelf
codes and storage fees; staff tick what they hand over, say who collects and how the fee is paid.
Or staff scan a parcel's label first and then type the code (five wrong tries lock it until a new
code is issued). Code entry is rate-limited per staff member. Registered on ``console_blueprint.bp``
(the return list, reports and settings are in ``station_views``); each view runs one operation
inside ``transaction()``."""
import re
import unicodedata
from dataclasses import dataclass, field

from flask import current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user
from pydantic import BaseModel, Field
from itsdangerous import BadData, URLSafeTimedSerializer

from ..database import format_cents, transaction, utcnow
from ..errors import DomainError
from ..extensions import limiter
from ..roles import Role
from ..wallet import operations as wallet
from ..web.api import SIGNED_IN, api_error, device_may_post, documented, is_api_request
from ..web.guards import role_required
from ..web.params import db_int, json_object
from . import errors, handover as handover_ops, reports as station, rules, terms
from .console_blueprint import bp
from .models import ParcelStatus

staff_only = role_required(Role.STAFF, Role.OWNER)
COUNTER_ROLES = {Role.STAFF.value, Role.OWNER.value}

CODE_LIMIT = "30 per minute"  # per staff member, shared by both ways of typing a code
TICKET_SALT = "parcel-handover"
TICKET_MAX_AGE_S = 15 * 60
PAYMENTS = ("cash", "wallet")
TICKET_EXPIRED = _l("This handover form is no longer valid: enter the resident's code again.")


# ---- the code: rate limit, cleaning, the signed list of parcels it opened ------------------------

def _code_limit():
    return current_app.config.get("PARCEL_CODE_LIMIT", CODE_LIMIT)


def _code_key():
    """Per staff member (a counter tablet's address is shared by every resident who walks up)."""
    if current_user.is_authenticated:
        return f"parcel-code:user:{current_user.id}"
    return f"parcel-code:addr:{get_remote_address()}"


def _code_breached(_limit):
    """Too many codes tried: the handover page again, what was typed kept, 429 and a clear message."""
    if is_api_request() or not (current_user.is_authenticated and current_user.role in COUNTER_ROLES):
        return None  # the plain 429 page, or the API's JSON
    flash(_("Too many codes tried in a minute. Wait a moment, then try again."), "error")
    page, _status = _handover_page(code=request.form.get("code", ""))
    return make_response(page, 429)


code_limit = limiter.shared_limit(_code_limit, scope="parcel-code", key_func=_code_key, methods=["POST"],
                                  on_breach=_code_breached)


# Codes that match no parcel, typed without a label first: counted per staff member and per store.
# After too many, code entry pauses (the window of the limit) and the owner is told.
def _missed(response):
    return response.status_code == errors.CodeUnknown.status


def _misses_breached(_limit):
    """Too many codes that match nothing: a cooldown, the owner told, what was typed kept."""
    if not (current_user.is_authenticated and current_user.role in COUNTER_ROLES):
        return None
    with transaction():
        handover_ops.tell_owners_of_code_misses(current_user, utcnow())
    if is_api_request():
        return None  # the API's JSON 429
    flash(_("Too many codes that match no parcel: code entry pauses for a few minutes. "
            "Scan the parcel's label instead, or wait."), "error")
    page, _status = _handover_page(code=request.form.get("code", ""))
    return make_response(page, 429)


# Shared by the counter's page and the counter's API (a tablet's token): one count of misses for both.
staff_misses_limit = limiter.shared_limit(
    lambda: current_app.config["PARCEL_CODE_MISSES_PER_STAFF"], scope="parcel-code-miss-staff", methods=["POST"],
    key_func=lambda: f"parcel-code-miss:user:{getattr(current_user, 'id', None)}",
    deduct_when=_missed, on_breach=_misses_breached)
store_misses_limit = limiter.shared_limit(
    lambda: current_app.config["PARCEL_CODE_MISSES_PER_STORE"], scope="parcel-code-miss-store", methods=["POST"],
    key_func=lambda: f"parcel-code-miss:store:{getattr(current_user, 'store_id', None)}",
    deduct_when=_missed, on_breach=_misses_breached)


def _clean_code(text):
    """What a scanner or a thumb typed, as the six digits (full-width digits and spaces allowed)."""
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text or ""))


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=TICKET_SALT)


def _ticket(parcel_ids):
    """Signed proof, for the confirm form, that this staff member opened these parcels with the code."""
    return _serializer().dumps({"ids": sorted(parcel_ids), "by": current_user.id})


def _ticket_ids(text):
    """The parcel ids a ticket opened, or None if it is forged, someone else's or too old."""
    try:
        data = _serializer().loads(text or "", max_age=TICKET_MAX_AGE_S)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("by") != current_user.id:
        return None
    return set(data.get("ids") or ())


# ---- the handover page ---------------------------------------------------------------------------

@dataclass
class HandoverSet:
    """The parcels a code opened, shown before confirming, and what the form holds."""

    rows: list                 # [(Parcel, fee_cents)], by shelf code
    collectors: list           # [handover_ops.Collector]: the recipient first
    wallet_cents: int | None   # the recipient's balance; None without an account
    ticket: str
    chosen: set = field(default_factory=set)
    collector: str = ""
    payment: str = "cash"

    @property
    def total_cents(self):
        return sum(fee for _, fee in self.rows)


def _handover_set(store, parcel, now, **form_state):
    parcels, collectors = handover_ops.handover_set(store.id, parcel)
    rows = [(p, terms.fee_due(store, p, now)) for p in parcels]
    owner_id = collectors[0].user_id  # the recipient's account, found by phone for parcels from before it
    balance = wallet.get_balance(owner_id) if owner_id is not None else None
    return HandoverSet(rows, collectors, balance, _ticket(p.id for p in parcels), **form_state)


def _handover_page(status=200, *, code="", label="", found=None, errors_by_field=None):
    store = current_user.store
    now = utcnow()
    since = station.day_start(station.local_day(now, store.timezone), store.timezone)
    page = render_template("parcels/handover_counter.html", store=store, now=now, code=code, label=label, found=found,
                           field_errors=errors_by_field or {},
                           handovers=handover_ops.list_handovers(store.id, since))
    return page, status


def _refused(exc, **typed):
    """A ``ParcelError`` on the handover page: under its field when it has one there, else flashed."""
    if exc.field in ("code", "label"):
        return _handover_page(exc.status, errors_by_field={exc.field: exc.message}, **typed)
    flash(exc.message, "error")
    return _handover_page(exc.status, **typed)


@bp.route("/console/parcels/handover", methods=["GET", "POST"])
@staff_only
@code_limit
@staff_misses_limit
@store_misses_limit
def handover():
    """The code field; a posted code shows all the parcels waiting for its resident, fees included."""
    if request.method == "GET":
        return _handover_page()
    typed = request.form.get("code", "")
    store = current_user.store
    try:
        parcel = handover_ops.find_by_code(store.id, _clean_code(typed))
    except DomainError as exc:
        return _refused(exc, code=typed)
    return _handover_page(found=_handover_set(store, parcel, utcnow()))


@bp.post("/console/parcels/handover/label")
@staff_only
def handover_label():
    """The other way round: a parcel's label (``3-2-015``) or tracking number, then the code."""
    typed = request.form.get("label", "")
    parcel = handover_ops.find_by_label(current_user.store_id, typed)
    if parcel is None:
        return _handover_page(404, label=typed, errors_by_field={
            "label": _("No parcel waiting on the shelf has this label or tracking number.")})
    return redirect(url_for("parcel_console.handover_parcel", parcel_id=parcel.id), 303)


def _parcel_page(parcel, status=200, *, code="", error=None):
    page = render_template("parcels/handover_parcel.html", store=current_user.store, parcel=parcel, code=code,
                           error=error, now=utcnow(),
                           tries_left=max(0, rules.MAX_CODE_MISSES - parcel.code_misses))
    return page, status


def _waiting_parcel(parcel_id):
    parcel = handover_ops.get_parcel(current_user.store_id, parcel_id)
    return parcel if parcel is not None and parcel.status == ParcelStatus.WAITING.value else None


@bp.get("/console/parcels/handover/parcels/<int:parcel_id>")
@staff_only
def handover_parcel(parcel_id):
    """One parcel found by its label, waiting for its resident's code (or for a new code, if locked)."""
    parcel = _waiting_parcel(parcel_id)
    if parcel is None:
        return _refused(errors.ParcelNotFound())
    return _parcel_page(parcel)


@bp.post("/console/parcels/handover/parcels/<int:parcel_id>/check")
@code_limit
@staff_only
def handover_check(parcel_id):
    """The code typed for a parcel found by its label: its resident's parcels, or one try fewer."""
    typed = request.form.get("code", "")
    store = current_user.store
    refused = None
    try:
        with transaction():
            try:
                parcel = handover_ops.check_code(store.id, parcel_id, _clean_code(typed))
            except (errors.CodeWrong, errors.CodeLocked) as exc:
                refused = exc  # the miss is on record even though the code was refused: commit it
    except DomainError as exc:
        return _refused(exc)
    if refused is not None:
        parcel = _waiting_parcel(parcel_id)
        if parcel is None:
            return _refused(errors.ParcelNotFound())
        return _parcel_page(parcel, refused.status, code=typed, error=refused)
    return _handover_page(found=_handover_set(store, parcel, utcnow()))


@bp.post("/console/parcels/handover/parcels/<int:parcel_id>/reissue")
@staff_only
def reissue_code(parcel_id):
    """A new code for the parcel (after the lock): the resident is sent it; staff never see it."""
    try:
        with transaction():
            handover_ops.reissue_code(current_user, parcel_id, utcnow())
    except DomainError as exc:
        return _refused(exc)
    flash(_("A new code has been sent to the resident. Ask them for it and type it here."), "success")
    return redirect(url_for("parcel_console.handover_parcel", parcel_id=parcel_id), 303)


def _confirm_refused(exc, allowed, chosen, collector, payment):
    """The parcels again with the staff's ticks and choices, or the handover page if none is left."""
    store = current_user.store
    parcel = next((p for p in (_waiting_parcel(i) for i in sorted(allowed)) if p is not None), None)
    flash(exc.message, "error")
    if parcel is None:
        return _handover_page(exc.status)
    found = _handover_set(store, parcel, utcnow(), chosen=set(chosen), collector=collector, payment=payment)
    return _handover_page(exc.status, found=found)


def _handed_over_message(parcels, fee_cents, payment):
    message = ngettext("%(num)d parcel handed over.", "%(num)d parcels handed over.", len(parcels))
    if fee_cents and payment == "wallet":
        message += " " + _("Storage fee %(amount)s paid from the wallet.", amount=format_cents(fee_cents))
    elif fee_cents:
        message += " " + _("Storage fee %(amount)s taken in cash.", amount=format_cents(fee_cents))
    return message


@bp.post("/console/parcels/handover/confirm")
@staff_only
def handover_confirm():
    """Hand over the ticked parcels to the chosen collector; the fee in cash or from the wallet."""
    allowed = _ticket_ids(request.form.get("ticket"))
    chosen = request.form.getlist("parcel_id", type=db_int)
    if allowed is None or set(chosen) - allowed:
        flash(TICKET_EXPIRED, "error")
        return _handover_page(400)
    collector = request.form.get("collector", "")
    payment = request.form.get("payment", "cash")
    payment = payment if payment in PAYMENTS else "cash"
    try:
        with transaction():
            parcels, fee_cents = handover_ops.hand_over(current_user, current_user.store, chosen,
                                                        collector_phone=collector, payment=payment, now=utcnow())
    except DomainError as exc:
        return _confirm_refused(exc, allowed, chosen, collector, payment)
    flash(_handed_over_message(parcels, fee_cents, payment), "success")
    return redirect(url_for("parcel_console.handover"), 303)


# ---- the counter's API: a tablet with a staff account's device token ----------------------------

class CodeIn(BaseModel):
    code: str = Field(max_length=64, description="The resident's pickup code (six digits; spaces allowed)")


class WaitingParcel(BaseModel):
    id: int
    shelf_code: str | None = Field(description="Where it is, e.g. 3-2-015")
    tracking_number: str
    carrier: str
    size: str = Field(description="small, medium or large")
    fee_cents: int = Field(ge=0, description="Storage fee due now")


class CodeLookupOut(BaseModel):
    recipient_name: str
    parcels: list[WaitingParcel] = Field(description="Every parcel waiting for the code's resident")
    total_fee_cents: int = Field(ge=0)


@bp.post("/api/v1/parcels/lookup")
@documented(json=CodeIn, ok=(200, CodeLookupOut), errors=(403, 404, 429), security=SIGNED_IN,
            tags=["parcels"])
@device_may_post
@staff_only
@code_limit
@staff_misses_limit
@store_misses_limit
def api_lookup_code():
    """The parcels waiting for the resident whose pickup code this is (the counter's code entry).

    A code that matches nothing answers 404 and counts as a miss, as at the counter's page (per staff
    member and per store); a locked parcel's code answers the same 404. Handing over stays on the page.
    """
    data = json_object(request)
    typed = data.get("code")
    if not isinstance(typed, str) or len(typed) > 64:
        return api_error(_("Enter the resident's six-digit pickup code."), 400)
    store = current_user.store
    try:
        parcel = handover_ops.find_by_code(store.id, _clean_code(typed))
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    found = _handover_set(store, parcel, utcnow())
    return jsonify(recipient_name=found.collectors[0].name, total_fee_cents=found.total_cents, parcels=[
        {"id": p.id, "shelf_code": p.shelf_code, "tracking_number": p.tracking_number, "carrier": p.carrier,
         "size": p.size, "fee_cents": fee} for p, fee in found.rows])
