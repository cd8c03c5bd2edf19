"""The resident's "bring it to my door": what bringing their waiting parcels costs, an order of
their own that carries them or a checkout they ride along on, the parcels leaving the shelf with it,
and what becomes of them when the order ends (handed over, or back on the shelf).

Parcels ride on delivery orders without orders knowing the parcel station: importing this module
registers them with ``orders.riders`` and their order-finished listener with
``fulfilment.moves.on_finish`` (``create_app`` imports it)."""
from dataclasses import dataclass

from ..extensions import db
from ..fulfilment.moves import on_finish
from ..orders import checkout, riders
from ..orders.models import OrderStatus
from ..stores.models import Store
from . import errors
from .models import Parcel, ParcelEvent, ParcelStatus
from .residents import list_for_resident, owned_by
from .terms import fee_due


@dataclass(frozen=True)
class AddOn:
    """Waiting parcels a resident can have brought along (checkout) or brought to the door."""

    door_fee_cents: int
    choices: list  # [(Parcel, storage fee in cents now)], oldest first

    def known(self, parcel_ids):
        """The ids among ``parcel_ids`` that are this resident's waiting parcels, in list order."""
        wanted = set(parcel_ids or ())
        return [p.id for p, _fee in self.choices if p.id in wanted]

    def fee_cents(self, parcel_ids):
        """Door fee once plus each parcel's storage fee (as ``door.door_delivery_quote``); 0 for none."""
        fees = {p.id: fee for p, fee in self.choices}
        return self.door_fee_cents + sum(fees[i] for i in parcel_ids) if parcel_ids else 0


def door_choices(user, store, now):
    """The resident's waiting parcels and what bringing each costs on top of the door fee: one query."""
    waiting = list_for_resident(user, (ParcelStatus.WAITING.value,))
    return AddOn(store.parcel_door_fee_cents, [(p, fee_due(store, p, now)) for p in waiting])


def place_parcel_delivery(user, *, parcel_ids, address_id, payment_method, idempotency_key, now):
    """"Bring it to my door" on its own: an order without goods that carries the resident's waiting
    parcels, paid (door fee + storage fees) like any order, handed over against the delivery code.
    Returns ``(order, created)``; checked like a checkout (zone, promise, key, wallet)."""
    return checkout.place_rider_order(user, rider=riders.PARCELS, ids=parcel_ids, address_id=address_id,
                                      payment_method=payment_method, idempotency_key=idempotency_key, now=now,
                                      event_note="parcels")


def door_delivery_quote(user, parcel_ids, now):
    """``(parcels, fee_cents)`` for bringing these waiting parcels of the resident to the door: the
    store's door fee once, plus each parcel's storage fee due now."""
    wanted = sorted({int(p) for p in parcel_ids})
    parcels = db.session.scalars(db.select(Parcel).where(
        Parcel.id.in_(wanted), Parcel.store_id == user.store_id, owned_by(user),
        Parcel.status == ParcelStatus.WAITING.value).order_by(Parcel.id)).all()
    if not wanted or len(parcels) != len(wanted):
        raise errors.DoorDeliveryInvalid()
    store = db.session.get(Store, user.store_id)
    return parcels, store.parcel_door_fee_cents + sum(fee_due(store, p, now) for p in parcels)


def send_out(parcels, order, user_id, now):
    """The parcels leave the shelf with ``order`` (guarded: still waiting); ``DoorDeliveryInvalid``
    if one was handed over meanwhile (the whole order then rolls back)."""
    for parcel in sorted(parcels, key=lambda p: p.id):
        if not db.session.execute(db.update(Parcel).where(
                Parcel.id == parcel.id, Parcel.status == ParcelStatus.WAITING.value)
                .values(status=ParcelStatus.OUT_FOR_DELIVERY.value, delivery_order_id=order.id)).rowcount:
            raise errors.DoorDeliveryInvalid()
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind="out_for_delivery", actor_id=user_id, at=now,
                                   note=f"order {order.id}"))


def parcels_of_order(order_id):
    """The parcels riding on an order, by shelf code (the order page, the courier's card, the picking list)."""
    return db.session.scalars(db.select(Parcel).where(Parcel.delivery_order_id == order_id)
                              .order_by(Parcel.shelf_code)).all()


@on_finish
def _order_finished(order, status, actor_id, now):
    """Parcels riding on an order: handed over with it, or back on the shelf if it did not arrive."""
    riding = db.and_(Parcel.delivery_order_id == order.id, Parcel.status == ParcelStatus.OUT_FOR_DELIVERY.value)
    ids = db.session.scalars(db.select(Parcel.id).where(riding)).all()
    if not ids:
        return
    if status == OrderStatus.DELIVERED:
        db.session.execute(db.update(Parcel).where(riding).values(
            status=ParcelStatus.COLLECTED.value, collected_at=now, handed_over_by=actor_id,
            collected_by_id=order.user_id, collected_as="door"))
        kind = "delivered"
    else:
        db.session.execute(db.update(Parcel).where(riding).values(
            status=ParcelStatus.WAITING.value, delivery_order_id=None))
        kind = "back_on_shelf"
    db.session.add_all(ParcelEvent(parcel_id=i, kind=kind, actor_id=actor_id, to_user_id=order.user_id, at=now,
                                   note=f"order {order.id}") for i in ids)


def shelf_codes_of_orders(order_ids):
    """``{order_id: [shelf codes]}`` of the parcels riding on these orders, in one query (the board)."""
    if not order_ids:
        return {}
    codes = {}
    for order_id, code in db.session.execute(
            db.select(Parcel.delivery_order_id, Parcel.shelf_code)
            .where(Parcel.delivery_order_id.in_(sorted(set(order_ids))))
            .order_by(Parcel.delivery_order_id, Parcel.shelf_code)):
        codes.setdefault(order_id, []).append(code)
    return codes


# Waiting parcels ride along on delivery orders ("bring my parcels along", "bring them to my door").
riders.register(riders.PARCELS, riders.Rider(quote=door_delivery_quote, attach=send_out, offer=door_choices,
                                             labels=shelf_codes_of_orders))
