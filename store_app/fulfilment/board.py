"""The staff order board: a store's orders by state, each as a card with what the counter needs at
a glance (age, promise, items, payment, address, partner readiness), and the printable picking list."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..catalogue.models import Category, Merchant, Product
from ..deliveries.rules import minutes_until
from ..extensions import db
from ..geo.models import Building
from ..orders import riders, rules
from ..orders.models import Order, OrderItem, OrderStatus as S
from ..web.i18n import localized

# The board's columns, left to right: key, heading, the statuses they hold.
SECTIONS = (
    ("new", _l("New"), (S.PLACED,)),
    ("accepted", _l("Accepted"), (S.ACCEPTED,)),
    ("picking", _l("Picking"), (S.PICKING,)),
    ("ready", _l("Ready for a courier"), (S.READY,)),
    ("out", _l("Out for delivery"), (S.ASSIGNED, S.PICKED_UP)),
)
# Packed pickup orders (到店自提) wait for their resident, not for a courier: a column of their own.
PICKUP_SECTION = ("pickup", _l("Waiting for pickup"))
FINISHED = (S.DELIVERED, S.COLLECTED, S.CANCELLED, S.FAILED)


@dataclass(frozen=True)
class PartnerPart:
    """A partner merchant's share of an order and whether the partner marked it ready."""

    merchant_id: int
    name: str
    item_count: int
    prepared_at: datetime | None  # when the last of its items was marked ready; None while waiting


@dataclass(frozen=True)
class OrderCard:
    """One order on the board."""

    order: Order
    age_min: int
    minutes_left: int | None  # negative when late; None once finished
    item_count: int
    amount_due_cents: int
    entrance_note: str
    partners: tuple
    code_locked: bool
    parcel_codes: tuple = ()  # shelf codes of parcels from the parcel station riding along

    @property
    def late(self):
        return self.minutes_left is not None and self.minutes_left < 0


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    cards: list


@dataclass(frozen=True)
class Board:
    sections: list
    done: list  # today's delivered, cancelled and failed orders, newest first

    @property
    def new_count(self):
        return len(self.sections[0].cards)


def _partner_parts(order):
    parts = {}
    for item in order.items:
        if item.unavailable or item.merchant is None or not item.merchant.is_partner:
            continue
        parts.setdefault(item.merchant_id, (item.merchant, []))[1].append(item)
    result = []
    for merchant_id, (merchant, items) in sorted(parts.items(), key=lambda kv: (kv[1][0].name, kv[0])):
        ready = all(i.prepared_at is not None for i in items)
        result.append(PartnerPart(merchant_id, localized(merchant), sum(i.quantity for i in items),
                                  max(i.prepared_at for i in items) if ready else None))
    return tuple(result)


def order_card(order, now, building=None, parcel_codes=()):
    """The board's view of one order at ``now``."""
    finished = S(order.status) in FINISHED
    return OrderCard(
        order=order, age_min=rules.minutes_since(order.placed_at, now),
        minutes_left=None if finished else minutes_until(order.promised_at, now),
        item_count=sum(i.quantity for i in order.items if not i.unavailable),
        amount_due_cents=rules.amount_due_cents(order),
        entrance_note=building.entrance_note if building is not None else "",
        partners=_partner_parts(order), code_locked=rules.is_code_locked(order),
        parcel_codes=tuple(parcel_codes))


def load_parcel_codes(orders):
    """``{order_id: [shelf codes]}`` of the parcels riding on these orders: one query, none at all
    when no order carries parcels."""
    return riders.labels(riders.PARCELS, [o.id for o in orders if o.parcel_fee_cents])


def load_buildings(orders):
    """``{building_id: Building}`` for the orders' addresses (for entrance notes)."""
    ids = {o.building_id for o in orders if o.building_id}
    if not ids:
        return {}
    return {b.id: b for b in db.session.scalars(db.select(Building).where(Building.id.in_(ids)))}


def load_board(store_id, now, tz_name):
    """The store's active orders by section (soonest promise first, ties by id) and today's finished ones."""
    active = [s.value for _, _, statuses in SECTIONS for s in statuses]
    finished_at = db.func.coalesce(Order.delivered_at, Order.collected_at, Order.cancelled_at, Order.failed_at)
    orders = db.session.scalars(
        db.select(Order).where(Order.store_id == store_id, db.or_(
            Order.status.in_(active),
            db.and_(Order.status.in_([s.value for s in FINISHED]),
                    finished_at >= rules.local_day_start(now, tz_name))))
        .options(selectinload(Order.items).selectinload(OrderItem.merchant), selectinload(Order.courier))
        .order_by(Order.promised_at, Order.id)).all()
    buildings = load_buildings(orders)
    parcels = load_parcel_codes(orders)
    cards = [order_card(o, now, buildings.get(o.building_id), parcels.get(o.id, ())) for o in orders]
    waiting_pickup = [c for c in cards if c.order.is_pickup and S(c.order.status) == S.READY]
    sections = [Section(key, label, [c for c in cards if S(c.order.status) in statuses and c not in waiting_pickup])
                for key, label, statuses in SECTIONS]
    sections.insert(4, Section(*PICKUP_SECTION, waiting_pickup))
    done = [c for c in cards if S(c.order.status) in FINISHED]
    done.sort(key=lambda c: (c.order.delivered_at or c.order.collected_at or c.order.cancelled_at
                             or c.order.failed_at, c.order.id), reverse=True)
    return Board(sections, done)


@dataclass(frozen=True)
class PickGroup:
    """Items of an order that sit together: one shelf category of the store, or one partner."""

    category: Category | None
    merchant: Merchant | None  # set for a partner's group
    items: list


def load_picking_list(order):
    """The order's items grouped for picking: the store's own by shelf category (in shelf order),
    then each partner's; within a group by name."""
    rows = db.session.execute(
        db.select(OrderItem, Category, Merchant)
        .join(Product, Product.id == OrderItem.product_id)
        .join(Category, Category.id == Product.category_id)
        .join(Merchant, Merchant.id == OrderItem.merchant_id)
        .where(OrderItem.order_id == order.id)).all()
    groups = {}
    for item, category, merchant in rows:
        if merchant.is_partner:
            key, group = (1, merchant.name, merchant.id), (None, merchant)
        else:
            key, group = (0, category.position, category.id), (category, None)
        groups.setdefault(key, (group, []))[1].append(item)
    return [PickGroup(category, merchant, sorted(items, key=lambda i: (i.name_zh, i.id)))
            for _, ((category, merchant), items) in sorted(groups.items(), key=lambda kv: kv[0])]
