"""The dispatcher's predictions: every cycle keeps each task's predicted hand-over; an order
predicted at least ``LATE_NOTICE_MIN`` (5) minutes past its promise shows the new time and its
resident is told once, however many cycles see it late (a smaller slip tells nobody, and the dispatch
board marks exactly the orders whose residents were told); an order back on time shows its promise
again."""
from datetime import timedelta

import pytest

from dispatch import cycle
from store_app.database import transaction, utcnow
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.notifications import operations as inbox
from store_app.notifications.models import Notification
from store_app.deliveries.params import quote_params
from store_app.deliveries import rules as delivery_rules
from store_app.fulfilment import dispatch_board, dispatching
from store_app.orders.models import Order
from store_app.stores.models import Store

from tests.integration.test_dispatch_cycle import TO_READY, advance, place_orders, world  # noqa: F401  (fixture)


def promise(order_id, at):
    """Move the order's (and its task's) promise to ``at``."""
    with transaction():
        db.session.execute(db.update(Order).where(Order.id == order_id).values(promised_at=at))
        db.session.execute(db.update(DeliveryTask).where(DeliveryTask.order_id == order_id).values(promised_at=at))


def facts(order_id):
    with transaction():
        order = db.session.get(Order, order_id)
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        notes = db.session.scalars(db.select(Notification).where(Notification.user_id == order.user_id)).all()
        return {"predicted": task.predicted_at, "late_eta": order.late_eta_at, "notified": order.late_notified_at,
                "notes": [(n.kind, n.dedupe_key, n.params.get("order_id")) for n in notes]}


def test_each_cycle_keeps_the_predicted_hand_over(world):  # noqa: F811
    shop, shopper = world
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    now = utcnow()
    cycle.run_cycle(shop.store_id, now)
    seen = facts(order_id)
    assert seen["predicted"] is not None and now < seen["predicted"] < now + timedelta(minutes=30)
    assert seen["late_eta"] is None and seen["notes"] == []


def test_a_late_order_shows_the_new_time_and_its_resident_is_told_once(world):  # noqa: F811
    shop, shopper = world
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    now = utcnow()
    promise(order_id, now - timedelta(minutes=5))  # five minutes late already, whatever the courier does
    summary = cycle.run_cycle(shop.store_id, now)
    first = facts(order_id)
    assert first["late_eta"] is not None and first["late_eta"] == first["predicted"]
    assert first["late_eta"] >= now
    assert first["notes"] == [("order_late", f"order_late:{order_id}", order_id)]
    assert f"residents told: orders {order_id}" in summary
    # Later cycles move the estimate but never tell the resident again.
    later = now + timedelta(minutes=2)
    summary = cycle.run_cycle(shop.store_id, later)
    again = facts(order_id)
    assert len(again["notes"]) == 1 and again["notified"] == first["notified"]
    assert again["late_eta"] is not None and "residents told" not in summary


def test_an_order_back_on_time_shows_its_promise_again(world):  # noqa: F811
    shop, shopper = world
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    now = utcnow()
    promise(order_id, now - timedelta(minutes=5))
    cycle.run_cycle(shop.store_id, now)
    assert facts(order_id)["late_eta"] is not None
    promise(order_id, now + timedelta(hours=2))
    cycle.run_cycle(shop.store_id, now + timedelta(minutes=1))
    assert facts(order_id)["late_eta"] is None
    assert len(facts(order_id)["notes"]) == 1  # the message already sent stays in the inbox


def test_notify_stores_one_message_per_key(world):  # noqa: F811
    shop, shopper = world
    with transaction():
        assert inbox.notify(shopper.user_id, shop.store_id, "order_late", "k1", {"order_id": 1}, now=utcnow()) is True
        assert inbox.notify(shopper.user_id, shop.store_id, "order_late", "k1", {"order_id": 1}, now=utcnow()) is False
        assert inbox.notify(shopper.user_id, shop.store_id, "order_late", "k2", {"order_id": 2}, now=utcnow()) is True
    with transaction():
        assert inbox.count_unread(shopper.user_id) == 2
        assert inbox.mark_all_read(shopper.user_id, utcnow()) == 2
        assert inbox.count_unread(shopper.user_id) == 0


def _predict(order_id, minutes_past_promise, now):
    """One cycle's prediction for the order's task, ``minutes_past_promise`` after its promise (which
    lies an hour ahead, so the prediction is in the future); returns whose residents were told."""
    with transaction():
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        promised = now + timedelta(hours=1)
        promise(order_id, promised)
        return dispatching.record_predictions(task.store_id, "Asia/Shanghai",
                                              {task.id: promised + timedelta(minutes=minutes_past_promise)}, now)


def _board_row(order_id, now):
    """The dispatch board's row of the order's task at ``now``."""
    with transaction():
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        order = db.session.get(Order, order_id)
        params = quote_params(db.session.get(Store, task.store_id))
        return dispatch_board.task_row(task, order, now, params)


@pytest.mark.parametrize("slip_min, told", [(1, False), (4, False), (5, True), (12, True)])
def test_may_be_late_goes_out_from_a_five_minute_slip_and_the_board_agrees(world, slip_min, told):  # noqa: F811
    shop, shopper = world
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    now = utcnow()
    assert delivery_rules.LATE_NOTICE_MIN == 5

    told_now = _predict(order_id, slip_min, now)

    seen = facts(order_id)
    assert (told_now == [order_id]) is told
    assert (seen["notes"] == [("order_late", f"order_late:{order_id}", order_id)]) is told
    assert (seen["late_eta"] is not None) is told
    row = _board_row(order_id, now)
    assert row.lateness_min == slip_min
    assert row.resident_told is told
    assert row.at_risk  # staff see any slip early, told or not


def test_a_slip_that_shrinks_below_the_threshold_tells_nobody_twice(world):  # noqa: F811
    shop, shopper = world
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    now = utcnow()
    assert _predict(order_id, 6, now) == [order_id]
    assert _predict(order_id, 4, now + timedelta(minutes=1)) == []
    assert facts(order_id)["late_eta"] is not None  # still later than promised: the page keeps the estimate
    assert _predict(order_id, 7, now + timedelta(minutes=2)) == []
    assert len(facts(order_id)["notes"]) == 1
    _predict(order_id, -2, now + timedelta(minutes=3))
    assert facts(order_id)["late_eta"] is None
