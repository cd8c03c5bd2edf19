"""Staff's queue of marketplace jobs (/console/services/jobs): escalated jobs first (nobody took them:
assign one to a vendor, or cancel it with a full refund), then jobs waiting for a vendor, then today's."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store_app.database import transaction, utcnow
from store_app.errors import DomainError
from store_app.extensions import db
from store_app.roles import Role
from store_app.web.guards import role_required
from store_app.web.params import db_int

from . import job_cards, offers, reoffers
from .blueprints import console_bp
from .booking_models import Booking
from .job_forms import AssignForm, CancelJobForm
from .statuses import BookingStatus as S

staff_only = role_required(Role.STAFF, Role.OWNER)
WAITING = (S.REQUESTED.value, S.REOFFERED.value)
UNDER_WAY = (S.ACCEPTED.value, S.ON_THE_WAY.value, S.ARRIVED.value, S.IN_PROGRESS.value, S.DONE.value)


def _queue(store_id, now):
    tz = job_cards.store_zone(store_id)

    def listed(statuses):
        return db.session.scalars(db.select(Booking).where(Booking.store_id == store_id, Booking.status.in_(statuses))
                                  .order_by(Booking.starts_at, Booking.id).limit(200)).all()

    escalated = listed((S.ESCALATED.value,))
    today = [b for b in listed(UNDER_WAY) if job_cards.is_today(b, tz, now)]
    vendors = {b.id: reoffers.suitable_vendors(b, others_only=False) for b in escalated}
    return {"escalated": escalated, "waiting": listed(WAITING), "today": today, "vendors": vendors,
            "tz": tz.key, "job_status_label": job_cards.job_status_label}


def _page(status=200):
    return render_template("services_console/jobs.html", assign_form=AssignForm(formdata=None),
                           cancel_form=CancelJobForm(formdata=None), **_queue(current_user.store_id, utcnow())), status


@console_bp.get("/jobs")
@staff_only
def jobs():
    """The queue: escalated jobs to place by hand, jobs waiting for a vendor, today's jobs."""
    return _page()


def _act(step, message):
    try:
        with transaction():
            step()
    except DomainError as exc:
        flash(exc.message, "error")
        return _page(exc.status)
    flash(message, "success")
    return redirect(url_for("services_console.jobs"), 303)


@console_bp.post("/jobs/<int:booking_id>/assign")
@staff_only
def assign(booking_id):
    """Give an escalated job to a vendor (approved, not suspended, with a free crew)."""
    form = AssignForm()
    try:
        vendor_id = db_int(form.vendor_id.data or "")
    except ValueError:
        vendor_id = None
    if not form.validate() or not vendor_id or vendor_id < 1:
        flash(_("Choose a vendor."), "error")
        return _page(400)
    return _act(lambda: offers.assign_job(current_user, booking_id, vendor_id, utcnow()),
                _("Assigned: the job is on the vendor's list and the resident is told."))


@console_bp.post("/jobs/<int:booking_id>/cancel")
@staff_only
def cancel(booking_id):
    """Cancel a job nobody took (or one not yet under way): the resident is refunded in full."""
    form = CancelJobForm()
    if not form.validate():
        return _page(400)
    return _act(lambda: offers.cancel_job(current_user, booking_id, form.note.data, utcnow()),
                _("Cancelled: the resident is refunded in full."))
