"""What a vendor sees of its jobs (the inbox, a job page, the API): offered jobs with their deadline,
and taken ones. The resident's exact address and phone appear only once this vendor accepted."""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from store_app.extensions import db
from store_app.geo.models import Building
from store_app.stores.models import Store

from . import offer_rules
from .booking_models import Booking, BookingOffer, OfferState
from .rules import UNACCEPTED
from .statuses import BookingStatus as S

# Statuses a vendor still has on its list (the job is theirs and not over).
TAKEN = (S.ACCEPTED, S.ON_THE_WAY, S.ARRIVED, S.IN_PROGRESS, S.DONE)


@dataclass(frozen=True)
class JobCard:
    booking: Booking
    offer: BookingOffer | None
    area_zh: str         # the building or area: all a vendor knows of the place before accepting
    area_en: str
    contact_shown: bool  # the exact address and phone may be shown
    is_offer: bool       # an open offer to answer (before ``answer_by_at``)

    @property
    def answer_by_at(self):
        return self.offer.answer_by_at if self.offer is not None else None


def _area(booking):
    if booking.address_id is None:
        return "", ""
    building = db.session.get(Building, booking.address.building_id)
    return (building.name_zh, building.name_en) if building is not None else ("", "")


def card(booking, vendor, now, offer=None):
    """The vendor's view of one booking at ``now``."""
    offer = offer or db.session.scalar(db.select(BookingOffer).where(BookingOffer.booking_id == booking.id,
                                                                     BookingOffer.vendor_id == vendor.id))
    is_offer = (offer is not None and booking.status in UNACCEPTED
                and offer_rules.is_offer_open(offer.state, offer.answer_by_at, now))
    zh, en = _area(booking)
    return JobCard(booking, offer, zh, en, offer_rules.shows_contact(booking.status, booking.vendor_id, vendor.id),
                   is_offer)


def list_jobs(vendor, now):
    """``(offered, taken)``: open offers soonest deadline first, then the vendor's live jobs by start."""
    offers = db.session.execute(db.select(Booking, BookingOffer).join(BookingOffer, BookingOffer.booking_id == Booking.id)
                                .where(BookingOffer.vendor_id == vendor.id,
                                       BookingOffer.state == OfferState.OFFERED.value, BookingOffer.answer_by_at > now,
                                       Booking.status.in_([s.value for s in UNACCEPTED]))
                                .order_by(BookingOffer.answer_by_at, Booking.id)).all()
    taken = db.session.scalars(db.select(Booking).where(Booking.vendor_id == vendor.id,
                                                        Booking.status.in_([s.value for s in TAKEN]))
                               .order_by(Booking.starts_at, Booking.id)).all()
    return [card(b, vendor, now, o) for b, o in offers], [card(b, vendor, now) for b in taken]


def store_zone(store_id):
    """The store's time zone."""
    return ZoneInfo(db.session.scalar(db.select(Store.timezone).where(Store.id == store_id)) or "Asia/Shanghai")


def is_today(booking, tz, now):
    """Whether ``booking`` starts on the store's local date of ``now``."""
    return booking.starts_at.astimezone(tz).date() == now.astimezone(tz).date()


def live_version(offered, taken, lang):
    """The ETag of the inbox: changes when a job is offered, taken, withdrawn or moves a step."""
    parts = [lang] + [f"o{c.booking.id}:{c.booking.status}" for c in offered]
    parts += [f"t{c.booking.id}:{c.booking.status}" for c in taken]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def seconds_left(deadline, now):
    """Whole seconds from ``now`` to ``deadline`` (0 once past)."""
    return max(0, int((deadline - now) / timedelta(seconds=1))) if isinstance(deadline, datetime) else 0


# How each status reads on the vendor's and staff's pages.
STATUS_LABELS = {
    S.REQUESTED: _l("Waiting for an answer"), S.REOFFERED: _l("Offered to other vendors"),
    S.ESCALATED: _l("To place by hand"), S.ACCEPTED: _l("Accepted"), S.ON_THE_WAY: _l("On the way"),
    S.ARRIVED: _l("Arrived at the door"), S.IN_PROGRESS: _l("In progress"), S.DONE: _l("Done: waiting for the resident"),
    S.COMPLETED: _l("Completed"), S.REVIEWED: _l("Reviewed"), S.EXPIRED: _l("Expired"),
    S.CANCELLED: _l("Cancelled"), S.NO_SHOW: _l("Resident not there"), S.VENDOR_NO_SHOW: _l("Vendor no-show"),
    S.DISPUTED: _l("Disputed"), S.HELD: _l("Held"),
}


def job_status_label(status):
    """A booking status in the reader's language."""
    return STATUS_LABELS.get(status, status)
