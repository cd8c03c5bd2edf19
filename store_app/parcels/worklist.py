"""The parcel station's lines on the counter's work list: parcels waiting for pickup, overdue ones,
the return list, locked pickup codes; for the owner, alerts that codes typed at the counter keep
missing (registered with ``store_app.web.worklist`` by ``create_app``)."""
from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..notifications.models import Notification
from ..web.worklist import OWNER, WorkItem
from . import rules
from .models import Parcel, ParcelStatus

CODE_MISS_KIND = "parcel_code_misses"  # the owner's inbox message from handover.tell_owners_of_code_misses


def _count_and_oldest(*conditions):
    return db.session.execute(db.select(db.func.count(), db.func.min(Parcel.checked_in_at))
                              .where(*conditions)).one()


def _first_locked(store_id):
    return db.session.scalar(db.select(Parcel.id).where(
        Parcel.store_id == store_id, Parcel.status == ParcelStatus.WAITING.value,
        Parcel.code_misses >= rules.MAX_CODE_MISSES).order_by(Parcel.checked_in_at, Parcel.id).limit(1))


def work_items(store, now):
    """What the parcel station has waiting at ``now``: the oldest age is the earliest check-in."""
    waiting = (Parcel.store_id == store.id, Parcel.status == ParcelStatus.WAITING.value)
    to_collect, oldest = _count_and_oldest(*waiting)
    overdue, oldest_overdue = _count_and_oldest(
        *waiting, Parcel.checked_in_at < now - timedelta(days=store.parcel_free_days))
    to_return, oldest_return = _count_and_oldest(
        Parcel.store_id == store.id, Parcel.status == ParcelStatus.RETURN_LISTED.value)
    locked, oldest_locked = _count_and_oldest(*waiting, Parcel.code_misses >= rules.MAX_CODE_MISSES)
    first_locked = _first_locked(store.id) if locked else None
    alerts, oldest_alert = db.session.execute(
        db.select(db.func.count(), db.func.min(Notification.created_at)).where(
            Notification.store_id == store.id, Notification.kind == CODE_MISS_KIND,
            Notification.read_at.is_(None))).one()
    handover = url_for("parcel_console.handover")
    return [
        WorkItem("parcels:locked_codes", _l("Pickup codes locked after wrong tries"), locked,
                 url_for("parcel_console.handover_parcel", parcel_id=first_locked) if first_locked else handover,
                 _l("Issue a new code"), oldest_locked, urgent=True, order=45),
        WorkItem("parcels:return_list", _l("Parcels on the return list"), to_return,
                 url_for("parcel_console.returns"), _l("Hand back to the carrier"), oldest_return, order=60),
        WorkItem("parcels:overdue", _l("Parcels overdue (storage fee due)"), overdue,
                 url_for("parcel_console.reports"), _l("See the station report"), oldest_overdue, order=55),
        WorkItem("parcels:waiting", _l("Parcels waiting for pickup"), to_collect, handover,
                 _l("Hand over parcels"), oldest, order=50),
        WorkItem("parcels:code_alerts", _l("Alerts: codes typed at the counter keep missing"), alerts,
                 url_for("notifications.inbox"), _l("Read the alerts"), oldest_alert, urgent=True, level=OWNER,
                 order=15),
    ]
