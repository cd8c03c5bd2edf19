"""A vendor's availability: weekly patterns (an RRULE of days, a window of the day in the store's
time zone, how many crews work it), exceptions for one date (closed, or other hours), and the
vendor's minimum notice. Only the owner of an approved vendor changes them. Verbs add and flush."""
from flask_babel import lazy_gettext as _l

from store_app.extensions import db

from . import hours_rules
from .errors import HoursRefused, NotApproved, NotFound, NotVendorOwner
from .models import AvailabilityException, AvailabilityRule, VettingStatus
from .vendor_setup import active_crews


def _require_owner(vendor, actor_id):
    if vendor.owner_id != actor_id:
        raise NotVendorOwner()
    if vendor.vetting != VettingStatus.APPROVED.value:
        raise NotApproved()


def _window(start_min, end_min, field="end"):
    if start_min is None or end_min is None or not 0 <= start_min < end_min <= 1440:
        raise HoursRefused(field, _l("The end must be after the start, within one day."))


def list_rules(vendor_id):
    return db.session.scalars(db.select(AvailabilityRule).where(AvailabilityRule.vendor_id == vendor_id)
                              .order_by(AvailabilityRule.start_min, AvailabilityRule.id)).all()


def list_exceptions(vendor_id, from_day):
    """The vendor's exceptions from ``from_day`` on, soonest first."""
    return db.session.scalars(db.select(AvailabilityException).where(
        AvailabilityException.vendor_id == vendor_id, AvailabilityException.day >= from_day)
        .order_by(AvailabilityException.day)).all()


def add_rule(vendor, actor_id, *, days, start_min, end_min, crews):
    """A weekly pattern: ``days`` (``"MO"``...), the window (minutes after local midnight) and the
    crews working it (1 to the vendor's active crews)."""
    _require_owner(vendor, actor_id)
    try:
        rrule = hours_rules.weekly_rrule(days)
    except ValueError as exc:
        raise HoursRefused("days", _l("Choose at least one day of the week.")) from exc
    _window(start_min, end_min)
    working = len(active_crews(vendor))
    if not 1 <= (crews or 0) <= working:
        raise HoursRefused("crews", _l("Between 1 and %(n)d: the crews you have working.", n=working))
    rule = AvailabilityRule(vendor_id=vendor.id, rrule=rrule, start_min=start_min, end_min=end_min, crews=crews)
    db.session.add(rule)
    db.session.flush()
    return rule


def delete_rule(vendor, actor_id, rule_id):
    """Remove one weekly pattern of the vendor's."""
    _require_owner(vendor, actor_id)
    rule = db.session.get(AvailabilityRule, rule_id)
    if rule is None or rule.vendor_id != vendor.id:
        raise NotFound()
    db.session.delete(rule)
    db.session.flush()


def set_exception(vendor, actor_id, *, day, closed, start_min=None, end_min=None, note="", today):
    """One date closed, or open at other hours (replaces what that date had); not in the past."""
    _require_owner(vendor, actor_id)
    if day is None or day < today:
        raise HoursRefused("day", _l("Choose a date from today on."))
    if not closed:
        _window(start_min, end_min, "exception_end")
    found = db.session.scalar(db.select(AvailabilityException).where(
        AvailabilityException.vendor_id == vendor.id, AvailabilityException.day == day))
    exception = found or AvailabilityException(vendor_id=vendor.id, day=day)
    exception.start_min, exception.end_min = (None, None) if closed else (start_min, end_min)
    exception.note = " ".join((note or "").split())
    db.session.add(exception)
    db.session.flush()
    return exception


def delete_exception(vendor, actor_id, exception_id):
    """Remove one date's exception: the weekly pattern holds again that day."""
    _require_owner(vendor, actor_id)
    exception = db.session.get(AvailabilityException, exception_id)
    if exception is None or exception.vendor_id != vendor.id:
        raise NotFound()
    db.session.delete(exception)
    db.session.flush()


def set_min_notice(vendor, actor_id, minutes):
    """How long before a job starts a resident may book it at the latest (0 to two weeks)."""
    _require_owner(vendor, actor_id)
    if minutes is None or not 0 <= minutes <= hours_rules.MAX_NOTICE_MIN:
        raise HoursRefused("min_notice", _l("Between 0 and 14 days."))
    vendor.min_notice_min = minutes
    db.session.flush()
    return vendor
