"""The demo parcel station: six shelves and 60 parcels waiting for demo residents (and a few phone
numbers without an account), checked in over the last nine days, so that reminders, storage fees
and the return list all have something to show, and one of them with its code locked. Idempotent: shelves and parcels are added once."""
import random
from datetime import timedelta

from ..accounts.models import User
from ..extensions import db
from ..parcels import checkin, ladder, rules, shelves
from ..parcels.models import Parcel, ParcelStatus
from . import data

SHELVES = [(number, 4, 24) for number in range(1, 7)]  # (number, tiers, size units per tier)
PARCELS = 60
UNREGISTERED = ["+8613700001001", "+8613700001002", "+8613700001003"]
SIZES = ["small"] * 6 + ["medium"] * 3 + ["large"]


def seed_parcels(store, now, seed=11):
    """Shelves if the store has none, then 60 parcels if it has none; returns what was created."""
    created = {"shelves": 0, "parcels": 0}
    if not shelves.list_shelves(store.id):
        for number, tiers, capacity in SHELVES:
            shelves.save_shelf(store.id, number, tiers, capacity)
            created["shelves"] += 1
    if db.session.scalar(db.select(Parcel.id).where(Parcel.store_id == store.id).limit(1)) is not None:
        return created
    staff = db.session.scalar(db.select(User).where(User.phone == data.STAFF[0][0]))
    if staff is None:
        return created
    rng = random.Random(seed)
    residents = [phone for phone, *_names in data.RESIDENTS]
    carriers = shelves.list_carriers(store.id)
    for index in range(PARCELS):
        phone = UNREGISTERED[index % len(UNREGISTERED)] if index % 15 == 14 else rng.choice(residents)
        # Most arrived today or yesterday; some wait for days; a few are past the return day.
        age_h = rng.choice([rng.uniform(0, 20)] * 5 + [rng.uniform(20, 80)] * 3 + [rng.uniform(80, 230)] * 2)
        checkin.check_in(staff, tracking_number=f"{rng.choice('ZYJSE')}T{rng.randrange(10 ** 11, 10 ** 12)}",
                         carrier=rng.choice(carriers).key, phone=phone, name="", size=rng.choice(SIZES),
                         now=now - timedelta(hours=age_h))
        created["parcels"] += 1
    ladder.run_ladder(store, now)  # the reminders and the return list, as the scheduler would have done
    _lock_one_code(store)
    return created


def _lock_one_code(store):
    """One waiting parcel of the first demo resident has had its code locked at the counter (five
    wrong tries), so that the resident's page shows a locked code and the counter a re-issue."""
    owner = db.session.scalar(db.select(User.id).where(User.phone == data.RESIDENTS[0][0]))
    newest = db.session.scalar(db.select(Parcel.id).where(
        Parcel.store_id == store.id, Parcel.recipient_id == owner, Parcel.status == ParcelStatus.WAITING.value)
        .order_by(Parcel.checked_in_at.desc(), Parcel.id.desc()).limit(1)) if owner is not None else None
    if newest is not None:
        db.session.execute(db.update(Parcel).where(Parcel.id == newest).values(code_misses=rules.MAX_CODE_MISSES))
