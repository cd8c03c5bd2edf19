"""The staff's side of money, the guarantee, reviews and standing (``console_bp``): every vendor's
statement with a payout button, complaints (free redo, refund or rejection), disputes, reviews (hide
one with a reason), and vendors' standing (appeals, lifting a suspension). Another store's ids: 404."""
import secrets
from datetime import timezone
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store_app.database import format_cents, transaction, utcnow
from store_app.roles import Role
from store_app.web.forms import choice_list
from store_app.web.guards import role_required

from . import claims as claim_ops, disputes as dispute_ops, payouts as payout_ops, reviews as review_ops
from . import standing as standing_ops, statements
from .blueprints import console_bp as bp
from .errors import ServiceError
from .money_forms import (DecideForm, HideForm, PayoutForm, RedoForm, RefundForm, ReinstateForm, RejectForm,
                          yuan_to_cents)
from .money_notices import claim_status_label, reason_label, standing_label
from .money_rules import PAYOUT_RESERVE_CENTS, month_of, parse_month, shift_month
from .money_web import export_response, submit

staff_only = role_required(Role.STAFF, Role.OWNER)


def _month(store, now):
    current = month_of(now, store.timezone)
    asked = parse_month(request.args.get("month"))
    return min(asked, current) if asked else current, current


def _fail(exc):
    """A refused step without a form to show it on: a 404 rises, the rest is flashed."""
    if exc.status == 404:
        raise exc
    flash(exc.message, "error")


# ---- statements and payouts ----------------------------------------------------------------------

@bp.get("/payouts")
@staff_only
def payouts():
    """Every vendor's month: jobs, gross, commission, chargebacks, balance, and a payout button."""
    store, now = current_user.store, utcnow()
    month, current = _month(store, now)
    form = PayoutForm(formdata=None, idempotency_key=secrets.token_urlsafe(16))
    return render_template("services_console/payouts.html", statements=statements.list_statements(store.id, month,
                                                                                                   store.timezone),
                           month=month, previous=shift_month(month, -1),
                           following=shift_month(month, 1) if month < current else None, form=form,
                           reserve_cents=PAYOUT_RESERVE_CENTS)


@bp.get("/payouts/<int:vendor_id>")
@staff_only
def payouts_vendor(vendor_id):
    """One vendor's statement for a month, as the vendor sees it, with its exports."""
    store, now = current_user.store, utcnow()
    month, current = _month(store, now)
    vendor = standing_ops.get_vendor(store.id, vendor_id)
    statement = statements.load_statement(vendor, month, store.timezone)
    if request.args.get("format") in ("csv", "xlsx"):
        return export_response(statement, store.timezone, request.args["format"])
    return render_template("services_console/payouts_vendor.html", statement=statement,
                           summary=statements.summary_rows(statement), previous=shift_month(month, -1),
                           following=shift_month(month, 1) if month < current else None, tz=store.timezone,
                           kind_label=statements.kind_label,
                           form=PayoutForm(formdata=None, idempotency_key=secrets.token_urlsafe(16)))


@bp.post("/payouts/<int:vendor_id>/pay")
@staff_only
def pay_out(vendor_id):
    """Record a payout of the vendor's balance minus the reserve."""
    form = PayoutForm()
    if form.validate_on_submit():
        try:
            with transaction():
                entry = payout_ops.pay_out(current_user, vendor_id, utcnow(), (form.idempotency_key.data or "")[:40])
        except ServiceError as exc:
            _fail(exc)
        else:
            flash(_("Payout of %(amount)s recorded.", amount=format_cents(-entry.amount_cents)), "success")
    return redirect(url_for("services_console.payouts_vendor", vendor_id=vendor_id), 303)


# ---- complaints ----------------------------------------------------------------------------------

@bp.get("/claims")
@staff_only
def claims():
    """The store's complaints, open ones first, each with its deadline."""
    store = current_user.store
    return render_template("services_console/claims.html", claims=claim_ops.list_claims(store.id),
                           tz=store.timezone, now=utcnow(), status_label=claim_status_label)


def _vendor_choices(store_id):
    return choice_list([(str(v.id), v.name) for v in standing_ops.list_vendors(store_id) if v.standing != "suspended"])


def _claim_page(claim, status=200, **forms):
    store = current_user.store
    redo = forms.get("redo") or RedoForm(formdata=None, prefix="redo", vendor=str(claim.vendor_id))
    redo.vendor.choices = _vendor_choices(store.id)
    return render_template("services_console/claims_detail.html", claim=claim, tz=store.timezone, now=utcnow(),
                           redo=redo, refund=forms.get("refund") or RefundForm(formdata=None, prefix="refund"),
                           reject=forms.get("reject") or RejectForm(formdata=None, prefix="reject"),
                           cap_cents=claim_ops.refund_cap_cents(claim), status_label=claim_status_label), status


@bp.get("/claims/<int:claim_id>")
@staff_only
def claim(claim_id):
    """One complaint: the job, what the resident says, photos, and the three decisions."""
    return _claim_page(claim_ops.get_claim(current_user.store_id, claim_id))


def _local_to_utc(value, tz_name):
    return value.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def _claim_form_page(claim_id, form_name):
    """The complaint's page again with ``form_name``'s form as it was posted (``_submit``'s ``page``)."""
    return lambda status, form, _form_for: _claim_page(claim_ops.get_claim(current_user.store_id, claim_id), status,
                                                       **{form_name: form})


def _int(text):
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@bp.post("/claims/<int:claim_id>/redo")
@staff_only
def claim_redo(claim_id):
    """Book a free redo from the complaint: a vendor and a start."""
    claim, now = claim_ops.get_claim(current_user.store_id, claim_id), utcnow()
    form = RedoForm(prefix="redo")
    form.vendor.choices = _vendor_choices(current_user.store_id)
    return submit(form, lambda: claim_ops.book_redo(
        current_user, claim.id, vendor_id=_int(form.vendor.data),
        starts_at=_local_to_utc(form.starts_at.data, current_user.store.timezone), upheld=form.upheld.data,
        note=form.note.data, now=now), _claim_form_page(claim.id, "redo"), None,
        _("The free redo is booked and offered to the vendor."), "services_console.claim", claim_id=claim.id)


@bp.post("/claims/<int:claim_id>/refund")
@staff_only
def claim_refund(claim_id):
    """Refund the resident from the guarantee fund, charged back to the vendor."""
    claim, now = claim_ops.get_claim(current_user.store_id, claim_id), utcnow()
    form = RefundForm(prefix="refund")

    def refund():
        claim_ops.refund(current_user, claim.id, amount_cents=yuan_to_cents(form.amount.data) or 0,
                         upheld=form.upheld.data, note=form.note.data, now=now)
    return submit(form, refund, _claim_form_page(claim.id, "refund"), None,
                   lambda: _("Refunded %(amount)s to the resident's wallet.",
                             amount=format_cents(yuan_to_cents(form.amount.data))),
                   "services_console.claim", claim_id=claim.id)


@bp.post("/claims/<int:claim_id>/reject")
@staff_only
def claim_reject(claim_id):
    """Refuse the complaint with the reason the resident reads."""
    claim, now = claim_ops.get_claim(current_user.store_id, claim_id), utcnow()
    form = RejectForm(prefix="reject")
    return submit(form, lambda: claim_ops.reject(current_user, claim.id, reason=form.note.data, now=now),
                   _claim_form_page(claim.id, "reject"), None,
                   _("The complaint was rejected; the resident was told why."), "services_console.claim",
                   claim_id=claim.id)


# ---- disputes ------------------------------------------------------------------------------------

def _disputes_page(status=200, form=None, form_for=None):
    store = current_user.store
    return render_template("services_console/disputes.html", disputes=dispute_ops.list_disputes(store.id),
                           tz=store.timezone, form=form, form_for=form_for,
                           blank=lambda prefix: DecideForm(formdata=None, prefix=prefix)), status


@bp.get("/disputes")
@staff_only
def disputes():
    """Vendors' disputes of complaints and no-shows, open ones first."""
    return _disputes_page()


@bp.post("/disputes/<int:dispute_id>/decide")
@staff_only
def decide_dispute(dispute_id):
    """Uphold (it does not count against the vendor; a no-show's fee is refunded) or refuse a dispute."""
    dispute_ops.get_dispute(current_user.store_id, dispute_id)
    form = DecideForm(prefix=f"dispute{dispute_id}")
    return submit(form, lambda: dispute_ops.decide(current_user, dispute_id, upheld=form.decision.data == "yes",
                                                    note=form.note.data, now=utcnow()),
                   _disputes_page, dispute_id, _("The dispute is decided; the vendor was told."),
                   "services_console.disputes")


# ---- reviews -------------------------------------------------------------------------------------

def _reviews_page(status=200, form=None, form_for=None):
    store = current_user.store
    return render_template("services_console/reviews.html", reviews=review_ops.list_for_store(store.id),
                           tz=store.timezone, form=form, form_for=form_for,
                           blank=lambda prefix: HideForm(formdata=None, prefix=prefix)), status


@bp.get("/reviews")
@staff_only
def reviews():
    """Every review of the store's vendors; hide one with a recorded reason."""
    return _reviews_page()


@bp.post("/reviews/<int:review_id>/hide")
@staff_only
def hide_review(review_id):
    """Hide a review (it leaves the vendor's rating), with the reason recorded."""
    review_ops.get_review(current_user.store_id, review_id)
    form = HideForm(prefix=f"review{review_id}")
    return submit(form, lambda: review_ops.hide(current_user, review_id, reason=form.reason.data, now=utcnow()),
                   _reviews_page, review_id, _("The review is hidden."), "services_console.reviews")


# ---- standing ------------------------------------------------------------------------------------

def _standing_page(status=200, form=None, form_for=None):
    store = current_user.store
    return render_template("services_console/standing.html", vendors=standing_ops.list_vendors(store.id),
                           appeals=standing_ops.list_open_appeals(store.id), tz=store.timezone, form=form,
                           form_for=form_for,
                           decide_blank=lambda prefix: DecideForm(formdata=None, prefix=prefix, yes=_("Grant"),
                                                                  no=_("Refuse")),
                           reinstate_blank=lambda prefix: ReinstateForm(formdata=None, prefix=prefix),
                           standing_label=standing_label, reason_label=reason_label), status


@bp.get("/standing")
@staff_only
def standing():
    """Vendors by standing and score; open appeals; lifting a suspension by hand."""
    return _standing_page()


@bp.post("/appeals/<int:appeal_id>/decide")
@staff_only
def decide_appeal(appeal_id):
    """Grant or refuse a suspended vendor's appeal."""
    form = DecideForm(prefix=f"appeal{appeal_id}", yes=_("Grant"), no=_("Refuse"))
    return submit(form, lambda: standing_ops.decide_appeal(current_user, appeal_id, grant=form.decision.data == "yes",
                                                            note=form.note.data, now=utcnow()),
                   _standing_page, ("appeal", appeal_id), _("The appeal is decided; the vendor was told."),
                   "services_console.standing")


@bp.post("/standing/<int:vendor_id>/reinstate")
@staff_only
def reinstate(vendor_id):
    """Lift a vendor's suspension by hand, with the reason recorded."""
    standing_ops.get_vendor(current_user.store_id, vendor_id)
    form = ReinstateForm(prefix=f"vendor{vendor_id}")
    return submit(form, lambda: standing_ops.reinstate(current_user, vendor_id, note=form.note.data, now=utcnow()),
                   _standing_page, ("vendor", vendor_id), _("The suspension is lifted."), "services_console.standing")
