"""The station's shelves and carriers: the shelves and their tiers, the carrier list, the space
parcels take on each tier (in size units), how full the station is, and where a parcel of a size
would go now."""
from dataclasses import dataclass

from ..extensions import db
from . import errors, rules
from .models import ON_SHELF, Carrier, Parcel, Shelf

CARRIER_NAME_MAX = 40  # as the column
DEFAULT_CARRIERS = ("中通快递 ZTO", "圆通速递 YTO", "韵达快递 Yunda", "申通快递 STO", "顺丰速运 SF Express",
                    "京东物流 JD Logistics", "极兔速递 J&T", "邮政 EMS / China Post", "菜鸟 Cainiao")


def list_shelves(store_id):
    """The store's active shelves by number."""
    return db.session.scalars(db.select(Shelf).where(Shelf.store_id == store_id, Shelf.is_active.is_(True))
                              .order_by(Shelf.number)).all()


def save_shelf(store_id, number, tiers, capacity):
    """Add a shelf, or change the tiers/capacity of the one with this number."""
    shelf = db.session.scalar(db.select(Shelf).where(Shelf.store_id == store_id, Shelf.number == number))
    if shelf is None:
        shelf = Shelf(store_id=store_id, number=number)
        db.session.add(shelf)
    shelf.tiers, shelf.capacity, shelf.is_active = tiers, capacity, True
    db.session.flush()
    return shelf


def list_carriers(store_id):
    """The store's carriers in order; the common ones on first use."""
    carriers = db.session.scalars(db.select(Carrier.name).where(Carrier.store_id == store_id)
                                  .order_by(Carrier.position, Carrier.id)).all()
    return list(carriers) or list(DEFAULT_CARRIERS)


def set_carriers(store_id, names):
    """Replace the carrier list (one name per line in the console)."""
    cleaned = []
    for name in names:
        name = " ".join(name.split())
        if len(name) > CARRIER_NAME_MAX:
            raise errors.CarrierNameTooLong(name=name[:20], max=CARRIER_NAME_MAX)
        if name and name not in cleaned:
            cleaned.append(name)
    db.session.execute(db.delete(Carrier).where(Carrier.store_id == store_id))
    db.session.add_all(Carrier(store_id=store_id, name=name, position=i) for i, name in enumerate(cleaned))
    db.session.flush()
    return cleaned


def tier_spaces(store_id):
    """``[rules.TierSpace]`` for every tier of every active shelf, with the space parcels on it take."""
    units = db.case(*((Parcel.size == size, n) for size, n in rules.SIZE_UNITS.items()), else_=1)
    used = dict(((shelf_id, tier), total) for shelf_id, tier, total in db.session.execute(
        db.select(Parcel.shelf_id, Parcel.tier, db.func.sum(units))
        .where(Parcel.store_id == store_id, Parcel.status.in_(ON_SHELF), Parcel.shelf_id.is_not(None))
        .group_by(Parcel.shelf_id, Parcel.tier)))
    return [(shelf, rules.TierSpace(shelf.number, tier, shelf.capacity, int(used.get((shelf.id, tier), 0))))
            for shelf in list_shelves(store_id) for tier in range(1, shelf.tiers + 1)]


@dataclass(frozen=True)
class Gauge:
    """How full the station is: size units used of the capacity, and parcels on the shelves."""

    used: int
    capacity: int
    parcels: int

    @property
    def percent(self):
        return round(100 * self.used / self.capacity) if self.capacity else 0


def capacity_gauge(store_id):
    """How full the station is, in size units, and how many parcels are on the shelves."""
    spaces = [space for _, space in tier_spaces(store_id)]
    parcels = db.session.scalar(db.select(db.func.count(Parcel.id)).where(
        Parcel.store_id == store_id, Parcel.status.in_(ON_SHELF)))
    return Gauge(sum(s.used for s in spaces), sum(s.capacity for s in spaces), parcels)


def propose(store_id, size):
    """``(shelf, TierSpace)`` where a parcel of ``size`` would go now, or None if nothing has room."""
    spaces = tier_spaces(store_id)
    best = rules.propose_slot([space for _, space in spaces], size)
    if best is None:
        return None
    return next((shelf, space) for shelf, space in spaces if space == best)
