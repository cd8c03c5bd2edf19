"""The vendor's money pages (``vendor_bp``): the monthly statement with month navigation and its CSV
and XLSX exports, the complaints and no-shows they may dispute, their reviews with a reply each, and
their standing with the appeal form. Only the vendor's owner login sees them (a crew member: 403)."""
from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from store_app.database import utcnow
from store_app.extensions import db
from store_app.roles import Role
from store_app.web.guards import role_required

from . import disputes, reviews, standing as standing_ops, statements
from . import reputation_rules as rules
from .blueprints import vendor_bp as bp
from .booking_models import Booking, Claim, Dispute, Review
from .money_forms import AppealForm, ReasonForm, ReplyForm
from .money_web import export_response, submit, vendor_of_user
from .money_notices import reason_label, restore_hint, standing_label
from .money_rules import month_of, parse_month, shift_month
from .statuses import BookingStatus

vendor_only = role_required(Role.VENDOR)


def _owner_vendor():
    vendor, is_owner = vendor_of_user(current_user.id)
    if vendor is None:
        abort(404)
    if not is_owner:
        abort(403)
    return vendor


def _month(store, now):
    """The month asked for (``?month=2026-11``), else the current one; never after the current month."""
    current = month_of(now, store.timezone)
    asked = parse_month(request.args.get("month"))
    return min(asked, current) if asked else current, current


@bp.get("/money")
@vendor_only
def money():
    """The vendor's statement for a month: totals, balance, what a payout would pay, every entry."""
    if vendor_of_user(current_user.id)[0] is None:  # a vendor login that has not applied yet
        return render_template("vendor/money_none.html")
    vendor, now = _owner_vendor(), utcnow()
    store = current_user.store
    month, current = _month(store, now)
    statement = statements.load_statement(vendor, month, store.timezone)
    return render_template("vendor/money.html", statement=statement, summary=statements.summary_rows(statement),
                           previous=shift_month(month, -1),
                           following=shift_month(month, 1) if month < current else None,
                           tz=store.timezone, kind_label=statements.kind_label)


def _export(kind):
    vendor, now = _owner_vendor(), utcnow()
    store = current_user.store
    month, _current = _month(store, now)
    statement = statements.load_statement(vendor, month, store.timezone)
    return export_response(statement, store.timezone, kind)


@bp.get("/money/statement.csv")
@vendor_only
def statement_csv():
    """The month's statement as CSV."""
    return _export("csv")


@bp.get("/money/statement.xlsx")
@vendor_only
def statement_xlsx():
    """The month's statement as an Excel workbook."""
    return _export("xlsx")


# ---- complaints and no-shows ---------------------------------------------------------------------

def _claims_page(vendor, status=200, form=None, form_for=None):
    claims = db.session.scalars(db.select(Claim).where(Claim.vendor_id == vendor.id)
                                .order_by(Claim.created_at.desc(), Claim.id.desc()).limit(50)).all()
    no_shows = db.session.scalars(db.select(Booking).where(
        Booking.vendor_id == vendor.id, Booking.status.in_((BookingStatus.NO_SHOW.value, BookingStatus.DISPUTED.value)))
        .order_by(Booking.starts_at.desc()).limit(50)).all()
    disputed = {(d.booking_id, d.claim_id): d for d in db.session.scalars(
        db.select(Dispute).where(Dispute.vendor_id == vendor.id))}
    return render_template("vendor/money_claims.html", claims=claims, no_shows=no_shows, disputed=disputed,
                           form=form, form_for=form_for, tz=current_user.store.timezone,
                           reason_form=lambda prefix: ReasonForm(formdata=None, prefix=prefix)), status


@bp.get("/money/claims")
@vendor_only
def money_claims():
    """Complaints about the vendor's jobs and their no-shows, each with a way to dispute it."""
    return _claims_page(_owner_vendor())


def _dispute(target, action, target_id):
    vendor, now = _owner_vendor(), utcnow()
    form = ReasonForm(prefix=f"{target[0].replace('_', '')}{target_id}")
    return submit(form, lambda: action(vendor, target_id, reason=form.reason.data, now=now),
                  lambda status, posted, _for: _claims_page(vendor, status, posted, target), None,
                  _("Your dispute was sent. Staff will decide."), "vendor.money_claims")


@bp.post("/money/claims/<int:claim_id>/dispute")
@vendor_only
def dispute_claim(claim_id):
    """Dispute a complaint, with a reason."""
    return _dispute(("claim", claim_id), disputes.dispute_claim, claim_id)


@bp.post("/money/no-shows/<int:booking_id>/dispute")
@vendor_only
def dispute_no_show(booking_id):
    """Dispute a no-show (wrong address, resident unreachable), with a reason."""
    return _dispute(("no_show", booking_id), disputes.dispute_no_show, booking_id)


# ---- reviews -------------------------------------------------------------------------------------

def _reviews_page(vendor, status=200, form=None, form_for=None):
    rows = db.session.scalars(db.select(Review).where(Review.vendor_id == vendor.id)
                              .order_by(Review.created_at.desc(), Review.id.desc()).limit(50)).all()
    return render_template("vendor/money_reviews.html", reviews=rows, summary=reviews.rating_summary(vendor.id),
                           form=form, form_for=form_for, tz=current_user.store.timezone,
                           reply_form=lambda prefix: ReplyForm(formdata=None, prefix=prefix)), status


@bp.get("/money/reviews")
@vendor_only
def money_reviews():
    """The vendor's reviews (hidden ones marked), each with one public reply."""
    return _reviews_page(_owner_vendor())


@bp.post("/money/reviews/<int:review_id>/reply")
@vendor_only
def reply_review(review_id):
    """Reply once to a review."""
    vendor, now = _owner_vendor(), utcnow()
    form = ReplyForm(prefix=f"review{review_id}")
    return submit(form, lambda: reviews.reply(vendor, review_id, text=form.text.data, now=now),
                  lambda status, posted, _for: _reviews_page(vendor, status, posted, review_id), None,
                  _("Your reply is published."), "vendor.money_reviews")


# ---- standing ------------------------------------------------------------------------------------

def _standing_page(vendor, form=None, status=200):
    now = utcnow()
    stats = standing_ops.load_stats(vendor.id, now)
    return render_template("vendor/standing.html", vendor=vendor, stats=stats, rules=rules,
                           found=rules.breaches(stats), events=standing_ops.list_events(vendor.id),
                           appeal=standing_ops.open_appeal(vendor.id), form=form or AppealForm(formdata=None),
                           tz=current_user.store.timezone, standing_label=standing_label, reason_label=reason_label,
                           restore_hint=restore_hint), status


@bp.get("/standing")
@vendor_only
def standing():
    """The vendor's standing: why, what restores them, their numbers, and the appeal form when suspended."""
    return _standing_page(_owner_vendor())


@bp.post("/standing/appeal")
@vendor_only
def appeal():
    """A suspended vendor appeals."""
    vendor, now = _owner_vendor(), utcnow()
    form = AppealForm()
    return submit(form, lambda: standing_ops.appeal(vendor, text=form.text.data, now=now),
                  lambda status, posted, _for: _standing_page(vendor, posted, status), None,
                  _("Your appeal was sent. Staff will decide."), "vendor.standing")
