"""The resident's "bring it to my door": what bringing their waiting parcels costs, the parcels
leaving the shelf with the order that carries them, and what becomes of them when the order ends
(handed over, or back on the shelf). Importing this module registers the order-finished listener
with ``orders.lifecycle.on_finish`` (``create_app`` imports it)."""
from ..extensions import db
from ..orders.lifecycle import on_finish
from . import errors
from .models import Parcel, ParcelEvent, ParcelStatus
from .residents import owned_by
from .terms import fee_due


def door_delivery_quote(user, parcel_ids, now):
    """``(parcels, fee_cents)`` for bringing these waiting parcels of the resident to the door: the
    store's door fee once, plus each parcel's storage fee due now."""
    from ..stores.models import Store

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
    from ..orders.models import OrderStatus

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
