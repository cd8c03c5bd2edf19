"""What residents, vendors and staff are told as a job is offered, taken, re-offered, escalated,
expired, done or missed: one message per step and booking (``dedupe_key``), and how each reads in
the reader's language (``@renderer``)."""
from datetime import datetime

from flask_babel import gettext as _

from store_app.accounts.models import User
from store_app.database import format_cents
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.notifications.operations import notify, notify_many
from store_app.notifications.presenters import renderer
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.web.filters import local_datetime
from store_app.web.i18n import localized

from .models import Vendor

STAFF_ROLES = (Role.STAFF.value, Role.OWNER.value)
LATE_KIND = "service_running_late"


def job_params(booking, **extra):
    """The parameters every job message carries: the category's names, the booking, its start."""
    category = booking.category
    tz = db.session.scalar(db.select(Store.timezone).where(Store.id == booking.store_id)) or "Asia/Shanghai"
    return {"name_zh": category.name_zh, "name_en": category.name_en, "booking_id": booking.id,
            "starts_at": booking.starts_at.isoformat(), "tz": tz, **extra}


def tell_resident(booking, kind, *, now, link=None, **extra):
    """The resident of ``booking`` hears of one step (once per step and booking); the message opens the
    booking unless ``link`` says otherwise."""
    notify(booking.resident_id, booking.store_id, kind, f"{kind}:{booking.id}", job_params(booking, **extra),
           link=link or f"/services/bookings/{booking.id}", now=now)


def tell_vendors_offered(booking, vendors, *, now):
    """Each vendor's owner hears that ``booking`` is offered to them, with the deadline."""
    notify_many([dict(user_id=vendor.owner_id, store_id=booking.store_id, kind="service_job_offered",
                      dedupe_key=f"service_job_offered:{booking.id}", link=f"/vendor/jobs/{booking.id}",
                      params=job_params(booking)) for vendor in vendors], now)


def tell_vendor_assigned(booking, vendor, *, now):
    """The vendor's owner hears that staff gave them ``booking``."""
    notify(vendor.owner_id, booking.store_id, "service_job_assigned", f"service_job_assigned:{booking.id}",
           job_params(booking), link=f"/vendor/jobs/{booking.id}", now=now)


def tell_vendor_changed(booking, kind, *, now):
    """The vendor whose job it is hears that it was cancelled (``service_job_called_off``) or moved
    (``service_job_moved``, once per new start) by the resident or staff."""
    if booking.vendor_id is None:
        return
    owner_id = db.session.scalar(db.select(Vendor.owner_id).where(Vendor.id == booking.vendor_id))
    key = f"{kind}:{booking.id}:{booking.starts_at.isoformat()}" if kind == "service_job_moved" else f"{kind}:{booking.id}"
    notify(owner_id, booking.store_id, kind, key, job_params(booking), link=f"/vendor/jobs/{booking.id}", now=now)


def tell_staff_escalated(booking, *, now):
    """The store's staff and owners hear that nobody took ``booking``: they place it by hand."""
    people = db.session.scalars(db.select(User.id).where(User.store_id == booking.store_id,
                                                         User.role.in_(STAFF_ROLES), User.is_enabled.is_(True))
                                .order_by(User.id)).all()
    notify_many([dict(user_id=user_id, store_id=booking.store_id, kind="service_job_to_place",
                      dedupe_key=f"service_job_to_place:{booking.id}", link="/console/services/jobs",
                      params=job_params(booking)) for user_id in people], now)


def record_running_late(booking, note, *, now):
    """The vendor's "running late" message: the resident is told (this message is the record that
    the vendor warned them); True if it is the first for this booking."""
    return notify(booking.resident_id, booking.store_id, LATE_KIND, f"{LATE_KIND}:{booking.id}",
                  job_params(booking, note=note), link=f"/services/bookings/{booking.id}", now=now)


def running_late_note(booking):
    """The vendor's "running late" note for ``booking``, or None when none was sent."""
    found = db.session.scalar(db.select(Notification.params).where(
        Notification.user_id == booking.resident_id, Notification.dedupe_key == f"{LATE_KIND}:{booking.id}"))
    return None if found is None else (found or {}).get("note", "")


# ---- how the messages read ------------------------------------------------------------------------

def _when(params):
    value = params.get("starts_at")
    if not value:
        return ""
    try:
        return local_datetime(datetime.fromisoformat(value), params.get("tz") or "Asia/Shanghai", "MMM d HH:mm")
    except ValueError:
        return ""


def _what(params):
    return localized(params, "name")


@renderer("service_job_offered")
def _offered(params):
    return (_("New job offered"),
            _("A %(what)s job on %(when)s is offered to you: accept it before its deadline.",
              what=_what(params), when=_when(params)))


@renderer("service_job_assigned")
def _assigned(params):
    return (_("The store gave you a job"),
            _("The store assigned you a %(what)s job on %(when)s: the address and phone are on the job page.",
              what=_what(params), when=_when(params)))


@renderer("service_job_accepted")
def _accepted(params):
    return (_("Your job is accepted"),
            _("A vendor accepted your %(what)s job on %(when)s.", what=_what(params), when=_when(params)))


@renderer("service_job_reoffered")
def _reoffered(params):
    return (_("We are finding another vendor"),
            _("The vendor could not take your %(what)s job on %(when)s: we are finding another vendor.",
              what=_what(params), when=_when(params)))


@renderer("service_job_escalated")
def _escalated(params):
    return (_("The store is placing your job"),
            _("No vendor took your %(what)s job on %(when)s in time: the store is placing it by hand.",
              what=_what(params), when=_when(params)))


@renderer("service_job_to_place")
def _to_place(params):
    return (_("A job to place by hand"),
            _("Nobody took the %(what)s job on %(when)s: assign it to a vendor or cancel it.",
              what=_what(params), when=_when(params)))


@renderer("service_job_expired")
def _expired(params):
    return (_("Your job could not be placed"),
            _("No vendor took your %(what)s job on %(when)s before its time. %(amount)s is back in your wallet.",
              what=_what(params), when=_when(params), amount=format_cents(params.get("refund_cents", 0))))


@renderer("service_job_cancelled")
def _cancelled(params):
    return (_("Your job was cancelled"),
            _("The store cancelled your %(what)s job on %(when)s. %(amount)s is back in your wallet.",
              what=_what(params), when=_when(params), amount=format_cents(params.get("refund_cents", 0))))


@renderer("service_vendor_no_show")
def _vendor_no_show(params):
    return (_("The vendor did not come"),
            _("The vendor of your %(what)s job on %(when)s cancelled or did not come. %(amount)s is back in your "
              "wallet; you can book another vendor at the same price or better.",
              what=_what(params), when=_when(params), amount=format_cents(params.get("refund_cents", 0))))


@renderer(LATE_KIND)
def _running_late(params):
    return (_("Your vendor is running late"),
            _("The vendor of your %(what)s job on %(when)s is running late: %(note)s",
              what=_what(params), when=_when(params), note=params.get("note", "")))


@renderer("service_job_done")
def _done(params):
    return (_("Your job is done"),
            _("The vendor finished your %(what)s job: please confirm it in the app (it completes by itself "
              "after 48 hours).", what=_what(params)))


@renderer("service_extra_proposed")
def _extra_proposed(params):
    return (_("An extra to approve"),
            _("The vendor of your %(what)s job asks for %(amount)s more: %(note)s. Approve it on the booking page "
              "before it is charged.", what=_what(params), amount=format_cents(params.get("amount_cents", 0)),
              note=params.get("note", "")))


@renderer("service_extra_approved")
def _extra_approved(params):
    return (_("Extra approved"),
            _("The resident approved %(amount)s more for the %(what)s job on %(when)s.",
              amount=format_cents(params.get("amount_cents", 0)), what=_what(params), when=_when(params)))


@renderer("service_no_show")
def _no_show(params):
    return (_("You were not there"),
            _("The vendor of your %(what)s job on %(when)s found nobody at the door: the no-show fee of "
              "%(fee)s was kept.", what=_what(params), when=_when(params),
              fee=format_cents(params.get("fee_cents", 0))))


@renderer("service_job_called_off")
def _job_cancelled(params):
    return (_("A job was cancelled"),
            _("The %(what)s job on %(when)s was cancelled: keep the time free for other jobs.",
              what=_what(params), when=_when(params)))


@renderer("service_job_moved")
def _job_moved(params):
    return (_("A job was moved"),
            _("The %(what)s job now starts on %(when)s.", what=_what(params), when=_when(params)))
