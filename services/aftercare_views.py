"""After the job (``resident_bp``): the resident reviews a completed booking, files a complaint under
the store's guarantee and follows it (the deadline for staff's decision, then the decision). The
booking page includes ``services/_aftercare.html`` (links here and the complaint's state), the
offering page ``services/_reviews.html`` (the vendor's visible reviews); both read template globals
registered below. Another resident's booking answers 404."""
from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.roles import Role
from store_app.uploads import storage
from store_app.web.forms import show_error
from store_app.web.guards import role_required
from store_app.web.live import live_fragment
from store_app.web.uploads import upload_route

from . import claims, reviews
from .blueprints import resident_bp as bp
from .errors import ServiceError
from .booking_models import Claim
from .money_forms import ClaimForm, ReviewForm
from .money_notices import claim_status_label
from .money_web import vendor_of_user
from .statuses import BookingStatus

resident_only = role_required(Role.RESIDENT)
STAFF_ROLES = (Role.STAFF.value, Role.OWNER.value)
LIVE_HEADER = "X-Service-Claim"


def aftercare_for(booking):
    """What the booking page shows after the job: may the resident review it, complain, and the complaint."""
    now = utcnow()
    claim = claims.get_claim_of_booking(booking.id)
    covered = booking.status in claims.COVERED
    return {"can_review": booking.status == BookingStatus.COMPLETED.value,
            "review": reviews.get_review_of_booking(booking.id) if covered else None,
            "claim": claim, "covered": covered,
            "problem": claims.coverage_problem(booking, now) if covered and claim is None else None,
            "guarantee_ends_at": claims.guarantee_ends_at(booking)}


def vendor_reviews(vendor_id, limit=5):
    """The vendor's visible reviews and their summary, for ``services/_reviews.html``."""
    return {"reviews": reviews.list_for_vendor(vendor_id, limit), "summary": reviews.rating_summary(vendor_id)}


bp.add_app_template_global(aftercare_for, "services_aftercare")
bp.add_app_template_global(vendor_reviews, "services_vendor_reviews")
bp.add_app_template_global(claim_status_label, "services_claim_status")


def _booking(booking_id):
    try:
        return claims.get_booking_of_resident(current_user.id, booking_id)
    except ServiceError:
        abort(404)


def _review_page(booking, form, status=200):
    return render_template("services/review.html", booking=booking, form=form), status


@bp.route("/bookings/<int:booking_id>/review", methods=["GET", "POST"])
@resident_only
def review(booking_id):
    """Rate a completed job, once (1-5 stars and a few words): marked "verified booking"."""
    booking, now = _booking(booking_id), utcnow()
    if reviews.get_review_of_booking(booking.id) is not None or booking.status != BookingStatus.COMPLETED.value:
        flash(_("Only a completed job can be reviewed, once."), "error")
        return redirect(url_for("services.claim", booking_id=booking.id), 303)
    form = ReviewForm()
    if not form.is_submitted():
        return _review_page(booking, form)
    if form.validate():
        try:
            with transaction():
                reviews.leave_review(current_user, booking.id, stars=int(form.stars.data), text=form.text.data,
                                     now=now)
        except ServiceError as exc:
            show_error(form, exc)
            return _review_page(booking, form, exc.status)
        flash(_("Thank you for your review."), "success")
        return redirect(url_for("services.claim", booking_id=booking.id), 303)
    return _review_page(booking, form, 400)


def _claim_page(booking, form, status=200):
    now = utcnow()
    return render_template("services/claim.html", booking=booking, form=form, now=now, back_url=_back_url(booking),
                           info=aftercare_for(booking), tz=current_user.store.timezone, live_header=LIVE_HEADER), status


def _back_url(booking):
    """The booking's own page when the booking pages are there, else the account page."""
    if "services.booking" in current_app.view_functions:
        return url_for("services.booking", booking_id=booking.id)
    return url_for("accounts.me")


@bp.get("/bookings/<int:booking_id>/claim")
@resident_only
def claim(booking_id):
    """After the job: the review, the guarantee (until when, and what it covers) and the complaint's
    state with the deadline for staff's decision, or the form to file one."""
    booking = _booking(booking_id)
    return _claim_page(booking, ClaimForm(formdata=None))


@bp.get("/bookings/<int:booking_id>/claim/live")
@resident_only
def claim_live(booking_id):
    """The complaint's state alone, for the page to refresh itself while staff decide."""
    booking = _booking(booking_id)
    found = claims.get_claim_of_booking(booking.id)
    if found is None:
        abort(404)
    return live_fragment(render_template("services/_claim_state.html", claim=found, tz=current_user.store.timezone),
                         LIVE_HEADER)


@bp.post("/bookings/<int:booking_id>/claim")
@resident_only
@upload_route(lambda config: claims.MAX_PHOTOS * claims.MAX_PHOTO_BYTES)
def file_claim(booking_id):
    """File a complaint: redo or damage, what happened, up to 3 photos."""
    booking, now = _booking(booking_id), utcnow()
    form = ClaimForm()
    if form.validate_on_submit():
        uploads = [upload.read(claims.MAX_PHOTO_BYTES + 1) for upload in (form.photos.data or [])
                   if upload and upload.filename]
        if any(len(data) > claims.MAX_PHOTO_BYTES for data in uploads):
            form.photos.errors = [_("Each photo may be at most %(mb)d MB.", mb=claims.MAX_PHOTO_BYTES // (1024 * 1024))]
            return _claim_page(booking, form, 413)
        try:
            with transaction():
                claims.file_claim(current_user, booking.id, kind=form.kind.data, text=form.text.data,
                                  photos=uploads, now=now)
        except ServiceError as exc:
            show_error(form, exc)
            return _claim_page(booking, form, exc.status)
        flash(_("Your complaint was filed. The store decides within 48 hours."), "success")
        return redirect(url_for("services.claim", booking_id=booking.id), 303)
    return _claim_page(booking, form, 400)


def _may_see(found):
    if current_user.role == Role.RESIDENT.value:
        return found.resident_id == current_user.id
    if current_user.role in STAFF_ROLES:
        return found.booking.store_id == current_user.store_id
    vendor, _is_owner = vendor_of_user(current_user.id)
    return vendor is not None and vendor.id == found.vendor_id


@bp.get("/claims/<int:claim_id>/photos/<name>")
@role_required(Role.RESIDENT, Role.STAFF, Role.OWNER, Role.VENDOR)
def claim_photo(claim_id, name):
    """A complaint's photo: for its resident, the store's staff and the vendor it is about."""
    found = db.session.get(Claim, claim_id)
    if found is None or name not in (found.photos or []) or not _may_see(found):
        abort(404)
    path = storage.path_of(claims.PHOTO_FOLDER, name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
