"""The vendor's jobs on the phone (/vendor/jobs): the live inbox of offers with their countdown, today's
and upcoming jobs, and a job page with the actions of its status. Also the resident's "confirm done"
button (``services.confirm_done``). Another vendor's job answers 404, like a missing one."""
from flask import flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from store_app.database import MoneyError, parse_cents, transaction, utcnow
from store_app.errors import DomainError
from store_app.roles import Role
from store_app.web.guards import role_required
from store_app.web.i18n import current_language
from store_app.web.live import live_fragment
from store_app.web.uploads import upload_route

from . import extras, job_cards, job_notices, offers, progress, reoffers
from .blueprints import resident_bp, vendor_bp
from .errors import ExtraInvalid
from .job_forms import DonePhotosForm, ExtraForm, GiveBackForm, IdCheckForm, LateForm
from .statuses import BookingStatus as S
from .vendor_setup import get_vendor_for_user

vendor_only = role_required(Role.VENDOR)
@vendor_bp.context_processor
def _labels():
    return {"job_status_label": job_cards.job_status_label}
resident_only = role_required(Role.RESIDENT)
LIVE_MARKER = "X-Vendor-Jobs"
# Photos as phones take them; each is brought down to 2048 px before keeping.
PHOTOS_MAX_BYTES = 6 * 8 * 1024 * 1024
# Steps that are one button each: the operation and what the vendor is told after it.
STEPS = {
    "on-the-way": (progress.set_on_the_way, _l("On your way: the resident can see it.")),
    "arrived": (progress.set_arrived, _l("Arrived at the door.")),
    "start": (progress.start_work, _l("Work started.")),
    "no-show": (progress.mark_no_show, _l("Recorded: nobody was at the door. The no-show fee applies.")),
}


def _inbox(now):
    vendor = get_vendor_for_user(current_user.id)
    if vendor is None or vendor.store_id != current_user.store_id:
        return {"vendor": None, "offered": [], "today": [], "upcoming": [], "live_version": "none"}
    offered, taken = job_cards.list_jobs(vendor, now)
    tz = job_cards.store_zone(vendor.store_id)
    today = [c for c in taken if job_cards.is_today(c.booking, tz, now) or c.booking.starts_at <= now]
    upcoming = [c for c in taken if c not in today]
    return {"vendor": vendor, "offered": offered, "today": today, "upcoming": upcoming, "tz": tz.key, "now": now,
            "live_version": job_cards.live_version(offered, taken, current_language())}


@vendor_bp.get("/jobs")
@vendor_only
def jobs():
    """The vendor's inbox: jobs offered (answer before the countdown ends), today's, upcoming."""
    return render_template("vendor/jobs.html", **_inbox(utcnow()))


@vendor_bp.get("/jobs/live")
@vendor_only
def jobs_live():
    """The inbox's live part, for vendor-inbox.js: an empty 304 while its ETag has not changed."""
    state = _inbox(utcnow())
    etag = state["live_version"]
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = live_fragment(render_template("vendor/_jobs_live.html", **state), LIVE_MARKER)
    response.set_etag(etag)
    response.headers[LIVE_MARKER] = "1"
    response.headers["Cache-Control"] = "no-store"
    return response


def _job_page(booking_id, status=200, **forms):
    now = utcnow()
    vendor = offers.vendor_for(current_user)
    booking = offers.get_vendor_job(vendor, booking_id)
    job = job_cards.card(booking, vendor, now)
    forms = {"id_form": IdCheckForm(formdata=None), "late_form": LateForm(formdata=None),
             "give_back_form": GiveBackForm(formdata=None), "photos_form": DonePhotosForm(formdata=None),
             "extra_form": ExtraForm(formdata=None), **forms}
    return render_template("vendor/job.html", job=job, booking=booking, vendor=vendor, now=now,
                           tz=job_cards.store_zone(vendor.store_id).key, S=S,
                           late_note=job_notices.running_late_note(booking),
                           extras=extras.list_extras(booking) if job.contact_shown else [],
                           seconds_left=job_cards.seconds_left(job.answer_by_at, now) if job.is_offer else 0,
                           **forms), status


@vendor_bp.get("/jobs/<int:booking_id>")
@vendor_only
def job(booking_id):
    """One job: what, when, where (the exact address only once accepted), and its next actions."""
    return _job_page(booking_id)


def _act(booking_id, step, done_message, **forms):
    """Run ``step`` in one transaction; on a refusal the job page comes back with the message."""
    try:
        with transaction():
            step()
    except DomainError as exc:
        flash(exc.message, "error")
        return _job_page(booking_id, exc.status, **forms)
    flash(done_message, "success")
    return redirect(url_for("vendor.job", booking_id=booking_id), 303)


@vendor_bp.post("/jobs/<int:booking_id>/accept")
@vendor_only
def accept(booking_id):
    """Take an offered job (the first vendor to answer wins; the others get 409)."""
    return _act(booking_id, lambda: offers.accept_job(current_user, booking_id, utcnow()),
                _("The job is yours: the address and phone are below."))


@vendor_bp.post("/jobs/<int:booking_id>/decline")
@vendor_only
def decline(booking_id):
    """Say no to an offered job: it is offered to other vendors."""
    outcome = _act(booking_id, lambda: reoffers.decline_job(current_user, booking_id, utcnow()),
                   _("Declined: the job is offered to other vendors."))
    answered = not isinstance(outcome, tuple)  # a refusal is the job page again, with its status
    return redirect(url_for("vendor.jobs"), 303) if answered else outcome


@vendor_bp.post("/jobs/<int:booking_id>/step/<any('on-the-way', 'arrived', 'start', 'no-show'):step>")
@vendor_only
def job_step(booking_id, step):
    """A one-button step of a taken job: on the way, arrived, start, resident not there."""
    operation, message = STEPS[step]
    return _act(booking_id, lambda: operation(current_user, booking_id, utcnow()), message)


@vendor_bp.post("/jobs/<int:booking_id>/id-check")
@vendor_only
def id_check(booking_id):
    """Record the ID check at the door (lockouts), with a note of what was seen."""
    form = IdCheckForm()
    if not form.validate():
        return _job_page(booking_id, 400, id_form=form)
    return _act(booking_id, lambda: progress.record_id_check(current_user, booking_id, form.note.data, utcnow()),
                _("ID check recorded: you may start."), id_form=form)


@vendor_bp.post("/jobs/<int:booking_id>/late")
@vendor_only
def running_late(booking_id):
    """Tell the resident you are running late, with a new time."""
    form = LateForm()
    if not form.validate():
        return _job_page(booking_id, 400, late_form=form)
    return _act(booking_id, lambda: progress.send_running_late(current_user, booking_id, form.late_note.data, utcnow()),
                _("The resident was told you are running late."), late_form=form)


@vendor_bp.post("/jobs/<int:booking_id>/give-back")
@vendor_only
def give_back(booking_id):
    """Give back a job you accepted: the resident is refunded in full (it counts as a vendor no-show)."""
    form = GiveBackForm()
    if not form.validate():
        return _job_page(booking_id, 400, give_back_form=form)
    return _act(booking_id, lambda: progress.vendor_cancel(current_user, booking_id, form.reason.data, utcnow()),
                _("The job was given back and the resident refunded."), give_back_form=form)


@vendor_bp.post("/jobs/<int:booking_id>/done")
@vendor_only
@upload_route(PHOTOS_MAX_BYTES)
def done(booking_id):
    """Finish the job with at least one photo of the work; the resident is asked to confirm."""
    form = DonePhotosForm()
    if not form.validate():
        return _job_page(booking_id, 400, photos_form=form)
    files = [upload.read(8 * 1024 * 1024 + 1) for upload in request.files.getlist("photos") if upload.filename]
    return _act(booking_id, lambda: progress.finish_work(current_user, booking_id, files, utcnow()),
                _("Done: the resident is asked to confirm."), photos_form=form)


@vendor_bp.post("/jobs/<int:booking_id>/extras")
@vendor_only
def propose_extra(booking_id):
    """Ask the resident to approve an extra amount (a part, more time), with a note."""
    form = ExtraForm()
    try:
        amount = parse_cents(form.amount.data or "")
    except MoneyError:
        amount = None
    if not form.validate() or amount is None:
        form.amount.errors = [*form.amount.errors, ExtraInvalid.message] if amount is None else form.amount.errors
        return _job_page(booking_id, 400, extra_form=form)
    return _act(booking_id, lambda: extras.propose_extra(current_user, booking_id, amount, form.extra_note.data,
                                                         utcnow()),
                _("The resident is asked to approve the extra in the app."), extra_form=form)


def _back_to_booking(booking_id, step, message):
    try:
        with transaction():
            step()
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(f"/services/bookings/{booking_id}", 303)
    flash(message, "success")
    return redirect(f"/services/bookings/{booking_id}", 303)


@resident_bp.post("/bookings/<int:booking_id>/extras/<int:number>/approve")
@resident_only
def approve_extra(booking_id, number):
    """The resident approves an extra the vendor proposed: it is charged now (cash: paid on site)."""
    return _back_to_booking(booking_id, lambda: extras.approve_extra(current_user, booking_id, number, utcnow()),
                            _("Extra approved."))


@resident_bp.post("/bookings/<int:booking_id>/confirm-done")
@resident_only
def confirm_done(booking_id):
    """The resident confirms the vendor finished: the job completes and is paid out."""
    return _back_to_booking(booking_id, lambda: progress.confirm_done(current_user, booking_id, utcnow()),
                            _("Thank you: the job is complete."))


@resident_bp.get("/bookings/<int:booking_id>/photos/<name>")
@login_required
def job_photo(booking_id, name):
    """A completion photo: for the resident, the vendor who did the job, and the store's staff."""
    path = progress.completion_photo_path(current_user, booking_id, name)
    response = send_file(path, mimetype="image/webp", max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
