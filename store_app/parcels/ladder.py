"""The overdue ladder: the first and second reminders, then the return list; and the carrier's
driver taking the listed parcels back. Each step is a guarded UPDATE, so the scheduler may run
the ladder twice (or on two machines) and tell nobody twice."""
from datetime import timedelta

from ..extensions import db
from . import errors, rules
from .models import Parcel, ParcelEvent, ParcelStatus
from .notices import tell
from .terms import fee_rules, ladder

LADDER_COLUMNS = {"remind_1": "reminded_1_at", "remind_2": "reminded_2_at", "return": "return_listed_at"}
LADDER_KINDS = {"remind_1": "parcel_reminder", "remind_2": "parcel_reminder", "return": "parcel_returning"}


def run_ladder(store, now):
    """One pass of the overdue ladder for a store; returns ``{step: parcels moved}``.

    Idempotent: each step sets its timestamp with a guarded UPDATE (``... IS NULL``) and only the
    run that set it tells the resident, so running twice (or two schedulers) tells nobody twice.
    """
    steps = ladder(store)
    done = {"remind_1": 0, "remind_2": 0, "return": 0}
    parcels = db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == store.id, Parcel.status == ParcelStatus.WAITING.value,
        Parcel.checked_in_at <= now - timedelta(hours=min(steps.first_reminder_h, steps.second_reminder_h)))
        .order_by(Parcel.id)).all()
    for parcel in parcels:
        taken = {step for step, column in LADDER_COLUMNS.items() if getattr(parcel, column) is not None}
        step = rules.due_step(parcel.checked_in_at, now, taken, steps)
        if step is None:
            continue
        values = {LADDER_COLUMNS[step]: now}
        guard = [Parcel.id == parcel.id, getattr(Parcel, LADDER_COLUMNS[step]).is_(None),
                 Parcel.status == ParcelStatus.WAITING.value]
        if step == "return":
            values["status"] = ParcelStatus.RETURN_LISTED.value
        if not db.session.execute(db.update(Parcel).where(*guard).values(**values)).rowcount:
            continue
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind=step, at=now))
        db.session.refresh(parcel)
        tell(parcel, LADDER_KINDS[step], step, now,
             days_left=rules.days_before_return(parcel.checked_in_at, now, steps),
             fee_cents=rules.storage_fee_cents(parcel.checked_in_at, now, fee_rules(store)))
        done[step] += 1
    db.session.flush()
    return done


def list_return_list(store_id):
    """The parcels listed for return to the carrier, by carrier, then shelf code."""
    return db.session.scalars(db.select(Parcel).where(Parcel.store_id == store_id,
                                                      Parcel.status == ParcelStatus.RETURN_LISTED.value)
                              .order_by(Parcel.carrier, Parcel.shelf_code)).all()


def mark_returned(staff, parcel_ids, now):
    """The carrier's driver took these parcels back (audit: who, when); returns how many moved."""
    moved = 0
    for parcel_id in sorted(set(parcel_ids)):
        if db.session.execute(db.update(Parcel).where(
                Parcel.id == parcel_id, Parcel.store_id == staff.store_id,
                Parcel.status == ParcelStatus.RETURN_LISTED.value)
                .values(status=ParcelStatus.RETURNED.value, returned_at=now, returned_by=staff.id)).rowcount:
            db.session.add(ParcelEvent(parcel_id=parcel_id, kind="returned", actor_id=staff.id, at=now))
            moved += 1
    if not moved:
        raise errors.AlreadyHandedOver()
    db.session.flush()
    return moved
