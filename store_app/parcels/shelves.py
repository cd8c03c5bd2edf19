"""The station's shelves and carriers: the shelves and their tiers, the carrier list, the space
parcels take on each tier (in size units), how full the station is, and where a parcel of a size
would go now."""
from dataclasses import dataclass
from typing import NamedTuple

from ..extensions import db
from ..web.names import split_names
from . import errors, rules
from .models import ON_SHELF, Carrier, Parcel, Shelf

CARRIER_NAME_MAX = 40  # as the column


class CarrierName(NamedTuple):
    """A carrier's two names; ``key`` is what a parcel stores (``localized`` shows it)."""

    name_zh: str
    name_en: str

    @property
    def key(self):
        return self.name_zh or self.name_en

    def line(self):
        """As the console's list writes it: "顺丰速运 | SF Express"."""
        return " | ".join(n for n in (self.name_zh, self.name_en) if n) if self.name_zh else f"| {self.name_en}"


DEFAULT_CARRIERS = tuple(CarrierName(zh, en) for zh, en in (
    ("中通快递", "ZTO Express"), ("圆通速递", "YTO Express"), ("韵达快递", "Yunda Express"),
    ("申通快递", "STO Express"), ("顺丰速运", "SF Express"), ("京东物流", "JD Logistics"),
    ("极兔速递", "J&T Express"), ("中国邮政", "China Post EMS"), ("菜鸟", "Cainiao")))


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
    """The store's carriers (``CarrierName``) in order; the common ones on first use."""
    rows = db.session.execute(db.select(Carrier.name_zh, Carrier.name_en).where(Carrier.store_id == store_id)
                              .order_by(Carrier.position, Carrier.id)).all()
    return [CarrierName(*row) for row in rows] or list(DEFAULT_CARRIERS)


def carrier_key(carriers, text):
    """What a parcel stores for a carrier typed or picked as ``text`` (either name, or both in one):
    the known carrier's key, else the text as it is."""
    text = " ".join((text or "").split())
    wanted = {text.casefold(), *(n.casefold() for n in split_names(text) if n)}
    for carrier in carriers:
        if wanted & {n.casefold() for n in carrier if n}:
            return carrier.key
    return text


def parse_carrier_line(line):
    """``CarrierName`` from a line of the console's list: "顺丰速运 | SF Express", "顺丰速运", "| SF Express"
    or an older "顺丰速运 SF Express"; None for an empty line."""
    if "|" in line:
        zh, _, en = line.partition("|")
    else:
        zh, en = split_names(line)
    zh, en = " ".join(zh.split()), " ".join(en.split())
    for name in (zh, en):
        if len(name) > CARRIER_NAME_MAX:
            raise errors.CarrierNameTooLong(name=name[:20], max=CARRIER_NAME_MAX)
    return CarrierName(zh, en) if zh or en else None


def set_carriers(store_id, lines):
    """Replace the carrier list (one carrier per line in the console, its two names split by "|")."""
    cleaned = []
    for line in lines:
        carrier = parse_carrier_line(line)
        if carrier is not None and carrier.key not in {c.key for c in cleaned}:
            cleaned.append(carrier)
    db.session.execute(db.delete(Carrier).where(Carrier.store_id == store_id))
    db.session.add_all(Carrier(store_id=store_id, name_zh=c.name_zh, name_en=c.name_en, position=i)
                       for i, c in enumerate(cleaned))
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
