"""Staff vet the vendors that apply: approve, ask for more (a note of what is missing, which the
vendor reads and answers), or reject with a reason. Each decision is a conditional UPDATE from a
waiting state, so two staff deciding at once give one decision and one clean 409; each tells the
vendor (a notification, rendered in the vendor's language by the renderers below).
"""
from flask_babel import gettext as _

from store_app.errors import ValueTooLong
from store_app.extensions import db
from store_app.notifications.operations import notify
from store_app.notifications.presenters import renderer

from .errors import NoteMissing, NotFound, VettingChanged
from .models import Vendor, VettingStatus
from .vendor_setup import ensure_first_crew

WAITING = (VettingStatus.APPLIED.value, VettingStatus.MORE_INFO.value)
NOTE_MAX = 500
STATES = tuple(status.value for status in VettingStatus)


def list_applications(store_id, state):
    """The store's vendors in vetting ``state``, the longest waiting first."""
    return db.session.scalars(db.select(Vendor).where(Vendor.store_id == store_id, Vendor.vetting == state)
                              .order_by(Vendor.created_at, Vendor.id)).all()


def count_by_state(store_id):
    """``{state: count}`` of the store's vendors, every state present."""
    rows = db.session.execute(db.select(Vendor.vetting, db.func.count()).where(Vendor.store_id == store_id)
                              .group_by(Vendor.vetting)).all()
    return {state: 0 for state in STATES} | dict(rows)


def get_application(store_id, vendor_id):
    """The store's vendor with this id; ``NotFound`` for another store's or a missing one."""
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None or vendor.store_id != store_id:
        raise NotFound()
    return vendor


def _decide(staff, vendor_id, to_state, note, now, seen=None):
    vendor = get_application(staff.store_id, vendor_id)
    # Conditional on the state the deciding staff saw (their page says it; else the state just read):
    # asking for more leaves the application waiting, so "still waiting" alone would let a second
    # decision made on the same page go through after the first.
    seen = seen or vendor.vetting
    moved = db.session.execute(
        db.update(Vendor).where(Vendor.id == vendor.id, Vendor.vetting == seen, Vendor.vetting.in_(WAITING))
        .values(vetting=to_state, vetting_note=note, vetted_by=staff.id, vetted_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise VettingChanged()
    db.session.refresh(vendor)
    return vendor


def _clean_note(note):
    text = " ".join((note or "").split())
    if not text:
        raise NoteMissing()
    if len(text) > NOTE_MAX:
        raise ValueTooLong("note", NOTE_MAX)
    return text


def approve(staff, vendor_id, now, seen=None):
    """Approve a waiting application (still in the state ``seen``, when given): the vendor may publish
    offerings and gets its first crew."""
    vendor = _decide(staff, vendor_id, VettingStatus.APPROVED.value, "", now, seen)
    ensure_first_crew(vendor)
    _tell(vendor, "vendor_approved", {}, now)
    return vendor


def ask_for_more(staff, vendor_id, note, now, seen=None):
    """Send a waiting application (still ``seen``, when given) back with ``note`` (what is missing);
    the vendor fixes and resubmits."""
    vendor = _decide(staff, vendor_id, VettingStatus.MORE_INFO.value, _clean_note(note), now, seen)
    _tell(vendor, "vendor_more_info", {"note": vendor.vetting_note}, now)
    return vendor


def reject(staff, vendor_id, reason, now, seen=None):
    """Refuse a waiting application (still ``seen``, when given) with ``reason``, which the vendor reads."""
    vendor = _decide(staff, vendor_id, VettingStatus.REJECTED.value, _clean_note(reason), now, seen)
    _tell(vendor, "vendor_rejected", {"reason": vendor.vetting_note}, now)
    return vendor


def _tell(vendor, kind, params, now):
    notify(vendor.owner_id, vendor.store_id, kind, f"{kind}:{vendor.id}:{now.isoformat()}",
           {"name": vendor.name, **params}, link="/vendor/", now=now)


# ---- how the messages read ------------------------------------------------------------------------

@renderer("vendor_approved")
def _approved(params):
    return (_("Your application is approved"),
            _("Welcome to the store's services, %(name)s. Add your offerings, your weekly hours and your crew "
              "to start taking jobs.", name=params.get("name", "")))


@renderer("vendor_more_info")
def _more_info(params):
    return (_("Your application needs more"),
            _("The store asks: %(note)s Open your page to add it and send the application again.",
              note=params.get("note", "")))


@renderer("vendor_rejected")
def _rejected(params):
    return (_("Your application was not accepted"),
            _("The store's reason: %(reason)s", reason=params.get("reason", "")))


@renderer("vendor_applied")
def _applied(params):
    return (_("A vendor applied"),
            _("%(name)s applied to offer services. Check the details and documents, then decide.",
              name=params.get("name", "")))


@renderer("vendor_resubmitted")
def _resubmitted(params):
    return (_("An application came back"),
            _("%(name)s added what you asked for. Check it again, then decide.", name=params.get("name", "")))
