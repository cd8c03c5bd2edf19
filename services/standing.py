"""Scores and standing on the database: the reputation job reads each vendor's numbers, writes
``Vendor.score`` and applies the standing rules (``reputation_rules``), writing a ``StandingEvent`` and
telling the vendor (and staff, for a suspension) on every change. A suspended vendor appeals; staff
grant or refuse the appeal, or lift a suspension by hand.

A standing change is a conditional UPDATE on the standing it was read in, so the job and a member of
staff acting at the same moment never both change it."""
from datetime import timedelta

from store_app.extensions import db

from . import money_notices
from . import reputation_rules as rules
from .booking_models import Appeal, Booking, BookingOffer, Claim, Dispute, OfferState, StandingEvent
from .errors import AlreadyDecided, AppealOpen, ChangedMeanwhile, FieldError, NotFound, NotSuspended
from .models import Vendor, VettingStatus
from .reviews import rating_summary, store_mean_stars

WINDOW = timedelta(days=90)  # the on-time, acceptance and complaint numbers look this far back
# Jobs whose crew was due at the door: their arrival (or not) counts for punctuality.
PUNCTUALITY_STATUSES = ("arrived", "in_progress", "done", "completed", "reviewed", "no_show", "disputed",
                        "vendor_no_show")
COUNTED_OFFER_STATES = (OfferState.ACCEPTED.value, OfferState.DECLINED.value, OfferState.EXPIRED.value)


def _punctuality(vendor_id, since, now):
    rows = db.session.execute(db.select(Booking.starts_at, Booking.arrived_at).where(
        Booking.vendor_id == vendor_id, Booking.status.in_(PUNCTUALITY_STATUSES),
        Booking.starts_at >= since, Booking.starts_at <= now)).all()
    return len(rows), sum(1 for starts_at, arrived_at in rows if rules.is_on_time(starts_at, arrived_at))


def _acceptance(vendor_id, since):
    rows = db.session.execute(db.select(BookingOffer.state, db.func.count()).where(
        BookingOffer.vendor_id == vendor_id, BookingOffer.counts_for_rate.is_(True),
        BookingOffer.state.in_(COUNTED_OFFER_STATES), BookingOffer.offered_at >= since)
        .group_by(BookingOffer.state)).all()
    counts = dict(rows)
    return sum(counts.values()), counts.get(OfferState.ACCEPTED.value, 0)


def upheld_complaints(vendor_id, since):
    """Complaints upheld against the vendor since ``since``, leaving out those a dispute overturned."""
    overturned = db.select(Dispute.id).where(Dispute.claim_id == Claim.id, Dispute.status == "upheld").exists()
    return db.session.scalar(db.select(db.func.count(Claim.id)).where(
        Claim.vendor_id == vendor_id, Claim.upheld.is_(True), Claim.created_at >= since, ~overturned)) or 0


def load_stats(vendor_id, now):
    """The vendor's ``VendorStats`` at ``now`` (reviews: all visible ones; the rest: the last 90 days)."""
    since = now - WINDOW
    summary = rating_summary(vendor_id)
    jobs, on_time = _punctuality(vendor_id, since, now)
    offers, accepted = _acceptance(vendor_id, since)
    return rules.VendorStats(reviews=summary.count, mean_stars=summary.mean_stars, jobs=jobs, on_time=on_time,
                             offers=offers, accepted=accepted,
                             upheld_complaints=upheld_complaints(vendor_id, now - rules.COMPLAINT_WINDOW))


def _change(vendor, to_standing, reason, now, *, params=None, actor_id=None, probation_until_at=None):
    """Move the vendor's standing (conditional on the one read), record the event and tell them."""
    old = vendor.standing
    moved = db.session.execute(db.update(Vendor).where(Vendor.id == vendor.id, Vendor.standing == old).values(
        standing=to_standing, standing_reason=reason, standing_since_at=now,
        probation_until_at=probation_until_at).execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise ChangedMeanwhile()
    db.session.refresh(vendor)
    event = StandingEvent(vendor_id=vendor.id, from_standing=old, to_standing=to_standing, reason=reason,
                          params=params or {}, actor_id=actor_id, created_at=now)
    db.session.add(event)
    db.session.flush()
    money_notices.tell_standing_changed(vendor, event, now)
    return event


def review_vendor(vendor, now, prior_mean):
    """Rescore one vendor and apply the standing rules; returns the ``StandingEvent`` of a change, or None."""
    stats = load_stats(vendor.id, now)
    vendor.score = rules.score(stats, prior_mean)
    decision = rules.next_standing(vendor.standing, rules.breaches(stats), vendor.probation_until_at, now)
    if decision.standing != vendor.standing:
        return _change(vendor, decision.standing, decision.reason, now, params=decision.params,
                       probation_until_at=decision.probation_until_at)
    if decision.standing == rules.PROBATION_STANDING and decision.reason != vendor.standing_reason:
        vendor.standing_reason = decision.reason
    return None


def recompute_store(store_id, now):
    """The reputation job's pass over every vetted vendor of the store; returns the log's summary."""
    prior_mean = store_mean_stars(store_id) or rules.DEFAULT_MEAN_STARS
    vendors = db.session.scalars(db.select(Vendor).where(Vendor.store_id == store_id,
                                                         Vendor.vetting == VettingStatus.APPROVED.value)
                                 .order_by(Vendor.id)).all()
    changes = sum(1 for vendor in vendors if review_vendor(vendor, now, prior_mean) is not None)
    db.session.flush()
    return f"{len(vendors)} vendors scored, {changes} standing changes"


def list_events(vendor_id, limit=20):
    return db.session.scalars(db.select(StandingEvent).where(StandingEvent.vendor_id == vendor_id)
                              .order_by(StandingEvent.created_at.desc(), StandingEvent.id.desc()).limit(limit)).all()


def open_appeal(vendor_id):
    return db.session.scalar(db.select(Appeal).where(Appeal.vendor_id == vendor_id, Appeal.status == "open"))


def appeal(vendor, *, text, now):
    """A suspended vendor asks staff to lift the suspension (one open appeal at a time)."""
    if vendor.standing != rules.SUSPENDED:
        raise NotSuspended()
    text = (text or "").strip()
    if not 10 <= len(text) <= 1000:
        raise FieldError("text", money_notices.explain_appeal())
    if open_appeal(vendor.id) is not None:
        raise AppealOpen()
    filed = Appeal(vendor_id=vendor.id, text=text, created_at=now)
    db.session.add(filed)
    db.session.flush()
    money_notices.tell_staff_appeal(vendor, filed, now)
    return filed


def get_vendor(store_id, vendor_id):
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None or vendor.store_id != store_id:
        raise NotFound()
    return vendor


def decide_appeal(staff, appeal_id, *, grant, note="", now):
    """Grant (the vendor is in good standing again) or refuse (with the reason) an open appeal."""
    filed = db.session.get(Appeal, appeal_id)
    if filed is None:
        raise NotFound()
    vendor = get_vendor(staff.store_id, filed.vendor_id)
    note = (note or "").strip()
    if not grant and len(note) < 3:
        raise FieldError("note", money_notices.give_reason())
    moved = db.session.execute(db.update(Appeal).where(Appeal.id == filed.id, Appeal.status == "open").values(
        status="granted" if grant else "refused", decision_note=note[:500], decided_by=staff.id, decided_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise AlreadyDecided()
    db.session.refresh(filed)
    if grant and vendor.standing == rules.SUSPENDED:
        _change(vendor, rules.GOOD, "appeal_granted", now, actor_id=staff.id, params={"note": note[:200]})
    else:
        money_notices.tell_appeal_refused(vendor, filed, now)
    return filed


def reinstate(staff, vendor_id, *, note, now):
    """Staff lift a suspension by hand, with the reason recorded."""
    vendor = get_vendor(staff.store_id, vendor_id)
    if vendor.standing != rules.SUSPENDED:
        raise NotSuspended()
    note = (note or "").strip()
    if not 3 <= len(note) <= 200:
        raise FieldError("note", money_notices.give_reason())
    return _change(vendor, rules.GOOD, "reinstated", now, actor_id=staff.id, params={"note": note})


def list_vendors(store_id):
    """The store's vetted vendors, suspended first, then on probation, then by score (best first)."""
    order = db.case({"suspended": 0, "probation": 1}, value=Vendor.standing, else_=2)
    return db.session.scalars(db.select(Vendor).where(Vendor.store_id == store_id,
                                                      Vendor.vetting == VettingStatus.APPROVED.value)
                              .order_by(order, Vendor.score.desc(), Vendor.id)).all()


def list_open_appeals(store_id):
    return db.session.scalars(db.select(Appeal).join(Vendor, Appeal.vendor_id == Vendor.id)
                              .where(Vendor.store_id == store_id, Appeal.status == "open")
                              .order_by(Appeal.created_at, Appeal.id)).all()
