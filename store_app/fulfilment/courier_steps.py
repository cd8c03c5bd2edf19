"""The courier's side of a delivery: their task list and route, "picked up", "delivered" against
the resident's code, "delivery failed". Only the assigned courier may act on a task; every step
moves the order (first) and then its task through ``moves.move``, so a step racing staff never
half-happens."""
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from ..catalogue import images
from ..catalogue.models import Merchant
from ..deliveries import rules
from ..deliveries.models import DeliveryTask
from ..deliveries.operations import CARRYING, log_call
from ..extensions import db
from ..geo.models import Building
from ..orders import rules as order_rules
from ..orders.errors import StatusConflict
from ..orders.models import Order, OrderStatus
from ..roles import Role
from ..uploads import storage
from ..web.i18n import localized
from . import errors, settlement
from .moves import move


def _door_photo_names():
    return set(db.session.scalars(db.select(Order.failure_photo).where(Order.failure_photo.is_not(None))))


storage.register_folder("deliveries", _door_photo_names)


def _own_order(courier, task_id):
    """The order of one of this courier's own tasks; someone else's task is 'missing' too."""
    order = db.session.scalar(db.select(Order).join(DeliveryTask, DeliveryTask.order_id == Order.id).where(
        DeliveryTask.id == task_id, DeliveryTask.courier_id == courier.id,
        DeliveryTask.store_id == courier.store_id))
    if order is None:
        raise errors.TaskNotFound(task_id)
    return order


@dataclass(frozen=True)
class TaskCard:
    """What the courier's page shows for one task."""

    task: DeliveryTask
    order: Order
    building: Building | None
    items: list
    amount_due_cents: int
    minutes_left: int
    code_locked: bool


def list_task_cards(courier, now):
    """The courier's assigned and picked-up tasks, soonest promise first (ties by id)."""
    rows = db.session.execute(
        db.select(DeliveryTask, Order).join(Order, DeliveryTask.order_id == Order.id)
        .where(DeliveryTask.courier_id == courier.id, DeliveryTask.store_id == courier.store_id,
               DeliveryTask.status.in_(CARRYING))
        .options(selectinload(Order.items), selectinload(Order.user))
        .order_by(DeliveryTask.promised_at, DeliveryTask.id)).all()
    building_ids = {order.building_id for _task, order in rows if order.building_id}
    buildings = {}
    if building_ids:
        buildings = {b.id: b for b in db.session.scalars(db.select(Building).where(Building.id.in_(building_ids)))}
    return [TaskCard(task=task, order=order, building=buildings.get(order.building_id),
                     items=[i for i in order.items if not i.unavailable],
                     amount_due_cents=order_rules.amount_due_cents(order),
                     minutes_left=rules.minutes_until(order.promised_at, now),
                     code_locked=order_rules.is_code_locked(order))
            for task, order in rows]


@dataclass(frozen=True)
class RouteStop:
    """A stop of the courier's route, in the order to visit: where, and what happens there."""

    kind: str          # "pickup" or "dropoff"
    lat: float
    lon: float
    place: str         # the shop's name or the address
    order_ids: tuple   # the orders this stop is for
    lines: tuple       # ("2 × Toast", ...): what to collect here (pickups)


def route_stops(cards, store, lang):
    """The courier's route from their task cards, in the order the dispatcher plans it: first every
    collection not done yet (the store, then each partner shop with its goods), then the doors, in
    task order. Tasks already picked up only have their door left."""
    to_collect = [c for c in cards if c.order.status == OrderStatus.ASSIGNED.value]
    merchant_ids = {item.merchant_id for card in to_collect for item in card.items}
    merchants = {m.id: m for m in db.session.scalars(
        db.select(Merchant).where(Merchant.id.in_(merchant_ids)))} if merchant_ids else {}
    pickups = {}  # (kind, merchant id or None) -> [order ids, lines]
    for card in sorted(to_collect, key=lambda c: c.task.id):
        for item in card.items:
            merchant = merchants.get(item.merchant_id)
            key = merchant.id if merchant is not None and merchant.is_partner else None
            order_ids, lines = pickups.setdefault(key, ([], []))
            if card.order.id not in order_ids:
                order_ids.append(card.order.id)
            lines.append(f"{item.quantity} × {item.name(lang)} (#{card.order.id})")
    stops = []
    for key in sorted(pickups, key=lambda k: (k is not None, k or 0)):
        order_ids, lines = pickups[key]
        merchant = merchants.get(key)
        lat, lon, place = ((merchant.lat, merchant.lon, localized(merchant)) if merchant is not None
                           else (store.lat, store.lon, localized(store)))
        stops.append(RouteStop("pickup", lat, lon, place, tuple(order_ids), tuple(lines)))
    for card in sorted(cards, key=lambda c: c.task.id):
        stops.append(RouteStop("dropoff", card.order.lat, card.order.lon, card.order.address_label,
                               (card.order.id,), ()))
    return stops


def confirm_pickup(courier, task_id, now):
    """The courier has the order in hand: order assigned -> picked_up, task assigned -> picked_up."""
    return move(_own_order(courier, task_id), OrderStatus.PICKED_UP, actor_id=courier.id, now=now,
                guard=(Order.courier_id == courier.id,), task_guard=(DeliveryTask.courier_id == courier.id,))


@dataclass(frozen=True)
class CodeCheck:
    """The answer to a delivery code: delivered, or how many tries are left (0 = locked)."""

    delivered: bool
    tries_left: int

    @property
    def locked(self):
        return not self.delivered and self.tries_left <= 0


def confirm_delivery(courier, task_id, code, now):
    """Hand the order over against the resident's 4-digit code; returns a ``CodeCheck``.

    A wrong code counts a miss with a conditional UPDATE (two wrong tries at once both count, and
    never past the limit); after ``MAX_CODE_MISSES`` the code is locked until staff unlock it. The
    caller commits a miss too: nothing is raised for a wrong code.
    """
    order = _own_order(courier, task_id)
    if not rules.is_code_shaped(code):
        raise errors.CodeFormatInvalid(task_id)
    if order.status != OrderStatus.PICKED_UP.value:
        raise StatusConflict(OrderStatus.DELIVERED)
    if order_rules.is_code_locked(order):
        return CodeCheck(delivered=False, tries_left=0)
    if not rules.code_matches(order.delivery_code, code):
        return _count_miss(order)
    try:
        move(order, OrderStatus.DELIVERED, actor_id=courier.id, now=now, guard=(
            Order.courier_id == courier.id, Order.delivery_code_misses < order_rules.MAX_CODE_MISSES),
            task_guard=(DeliveryTask.courier_id == courier.id,))
    except StatusConflict:
        db.session.refresh(order)
        if order_rules.is_code_locked(order):  # locked by a wrong try that landed just before
            return CodeCheck(delivered=False, tries_left=0)
        raise
    return CodeCheck(delivered=True, tries_left=order_rules.MAX_CODE_MISSES - order.delivery_code_misses)


def _count_miss(order):
    db.session.execute(db.update(Order).where(
        Order.id == order.id, Order.status == OrderStatus.PICKED_UP.value,
        Order.delivery_code_misses < order_rules.MAX_CODE_MISSES)
        .values(delivery_code_misses=Order.delivery_code_misses + 1))
    db.session.flush()
    db.session.refresh(order)
    if order.status != OrderStatus.PICKED_UP.value:
        raise StatusConflict(OrderStatus.DELIVERED)
    tries_left = max(0, order_rules.MAX_CODE_MISSES - order.delivery_code_misses)
    return CodeCheck(delivered=False, tries_left=tries_left)


def report_failure(courier, task_id, reason, text, now, photo=None):
    """The delivery could not be made (nobody home, refused, other + a few words): order and task
    failed. ``photo`` is the courier's photo at the door (re-encoded), if they took one: its file is
    staged only once the task is known to be theirs, and kept only if the step commits."""
    text = (text or "").strip()
    problem = rules.failure_problem(reason, text)
    if problem:
        raise errors.FailureReasonInvalid(problem)
    order = _own_order(courier, task_id)
    stored = images.keep_photo(photo, "deliveries") if photo is not None else None
    order = move(order, OrderStatus.FAILED, actor_id=courier.id, now=now,
                 note=f"{reason}: {text}" if text else reason, guard=(Order.courier_id == courier.id,),
                 changes={"failure_photo": stored} if stored else None,
                 task_guard=(DeliveryTask.courier_id == courier.id,))
    return settlement.settle_failed_delivery(order, courier.id, now)


def door_photo_for(user, order_id):
    """The stored name of a failed delivery's door photo, if ``user`` may see it (the store's staff
    or owner, or the resident whose order it was); None otherwise or when there is none."""
    order = db.session.get(Order, order_id)
    if order is None or not order.failure_photo:
        return None
    staff = user.role in (Role.STAFF.value, Role.OWNER.value) and order.store_id == user.store_id
    return order.failure_photo if staff or order.user_id == user.id else None


# ---- the live page: what changed since the courier's phone last asked ----------------------------

def _digest(value):
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()


def card_version(card):
    """A short fingerprint of everything a task card shows (the minutes left included, so a card is
    drawn again at most once a minute): a new fingerprint means the card must be drawn again."""
    task, order = card.task, card.order
    return _digest((task.id, task.status, task.courier_id, order.status, order.promised_at.isoformat(),
                    card.minutes_left,
                    order.delivery_code_misses, card.code_locked, order.note, order.address_text,
                    order.payment_method, card.amount_due_cents, order.parcel_fee_cents,
                    card.building.entrance_note if card.building is not None else "",
                    tuple((i.id, i.quantity, i.name_zh, i.name_en) for i in card.items)))


def route_version(stops):
    """A short fingerprint of the route's stops: the map is drawn again only when they change."""
    return _digest(tuple(stops))


def live_version(shift, cards, stops, lang):
    """The ETag of the courier's live part (route, task cards, next step): changes exactly when a task
    is given, changed or withdrawn, the route changes, the shift starts or ends, or the language."""
    return _digest((lang, shift.id if shift is not None else None, [card_version(c) for c in cards], stops))


def next_step(cards, stops):
    """``(card, stop)``: the task the courier's next step is for (an order still to collect, soonest
    promise first as the cards come, else the first one to hand over) and the route stop it happens
    at; ``(None, None)`` without tasks."""
    card = next((c for c in cards if c.order.status == OrderStatus.ASSIGNED.value), cards[0] if cards else None)
    if card is None:
        return None, None
    kind = "pickup" if card.order.status == OrderStatus.ASSIGNED.value else "dropoff"
    stop = next((s for s in stops if s.kind == kind and card.order.id in s.order_ids), None)
    return card, stop


def call_resident(courier, task_id, now):
    """The phone number to call for one of the courier's active tasks (assigned or picked up), after
    logging the call. Another courier's task, or a finished one, is 'missing' (404)."""
    row = db.session.execute(db.select(DeliveryTask, Order).join(Order, DeliveryTask.order_id == Order.id).where(
        DeliveryTask.id == task_id, DeliveryTask.courier_id == courier.id,
        DeliveryTask.store_id == courier.store_id, DeliveryTask.status.in_(CARRYING))).first()
    if row is None or not row[1].user.phone:
        raise errors.TaskNotFound(task_id)
    task, order = row
    log_call(task, courier.id, now)
    return order.user.phone
