"""The one table of fulfilment: every move an order may make, and what its delivery task does with it."""
from itertools import product as pairs

import pytest

from store_app.deliveries.models import DeliveryTask, TaskStatus
from store_app.fulfilment import transitions
from store_app.orders.models import Order, OrderStatus as S


# ---- the order's machine ---------------------------------------------------------------------

ALLOWED = {
    (S.PLACED, S.ACCEPTED), (S.PLACED, S.CANCELLED),
    (S.ACCEPTED, S.PICKING), (S.ACCEPTED, S.CANCELLED),
    (S.PICKING, S.READY), (S.PICKING, S.CANCELLED),
    (S.READY, S.ASSIGNED), (S.READY, S.CANCELLED),
    (S.ASSIGNED, S.ASSIGNED), (S.ASSIGNED, S.PICKED_UP), (S.ASSIGNED, S.READY), (S.ASSIGNED, S.CANCELLED),
    (S.PICKED_UP, S.DELIVERED), (S.PICKED_UP, S.FAILED),
}
# A pickup order (到店自提): packed, then collected at the counter; never a courier's step.
ALLOWED_PICKUP = {
    (S.PLACED, S.ACCEPTED), (S.PLACED, S.CANCELLED),
    (S.ACCEPTED, S.PICKING), (S.ACCEPTED, S.CANCELLED),
    (S.PICKING, S.READY), (S.PICKING, S.CANCELLED),
    (S.READY, S.COLLECTED), (S.READY, S.CANCELLED),
}


@pytest.mark.parametrize("current, target", sorted(pairs(S, S)))
def test_every_move_is_allowed_or_refused_exactly_as_designed(current, target):
    assert transitions.can_move(current, target) is ((current, target) in ALLOWED)
    # Plain strings, as read from the database, give the same answer.
    assert transitions.can_move(current.value, target.value) is ((current, target) in ALLOWED)


@pytest.mark.parametrize("current, target", sorted(pairs(S, S)))
def test_a_pickup_order_moves_only_through_the_counter(current, target):
    assert transitions.can_move(current, target, pickup=True) is ((current, target) in ALLOWED_PICKUP)


@pytest.mark.parametrize("current, target", [
    (S.DELIVERED, S.CANCELLED), (S.DELIVERED, S.FAILED), (S.DELIVERED, S.PLACED),
    (S.PICKED_UP, S.CANCELLED), (S.PICKED_UP, S.READY), (S.CANCELLED, S.PLACED), (S.FAILED, S.DELIVERED),
    (S.PLACED, S.DELIVERED), (S.PLACED, S.PICKING), (S.READY, S.READY),
])
def test_notable_moves_are_refused(current, target):
    assert not transitions.can_move(current, target)


def test_the_machine_covers_every_status_and_ends_in_terminal_ones():
    assert set(transitions.TRANSITIONS) == set(S)
    terminal = {s for s, targets in transitions.TRANSITIONS.items() if not targets}
    assert terminal == {S.DELIVERED, S.COLLECTED, S.CANCELLED, S.FAILED}
    assert transitions.ACTIVE == frozenset(S) - terminal


def test_every_status_is_reachable_from_placed():
    reached, frontier = {S.PLACED}, [S.PLACED]
    while frontier:
        for target in transitions.TRANSITIONS[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(S)


def test_every_status_but_placed_has_its_timestamp_column():
    assert set(transitions.TIMESTAMP_OF) == set(S) - {S.PLACED}
    for column in transitions.TIMESTAMP_OF.values():
        assert column.endswith("_at") and hasattr(Order, column)


def test_an_unknown_status_is_an_error_not_a_yes():
    with pytest.raises(ValueError):
        transitions.can_move("teleported", S.DELIVERED)


@pytest.mark.parametrize("status", list(S))
def test_residents_cancel_only_before_picking(status):
    expected = status in (S.PLACED, S.ACCEPTED)
    assert transitions.can_resident_cancel(status) is expected
    assert transitions.can_resident_cancel(status.value) is expected
    if expected:  # what the resident may do, the machine must allow
        assert transitions.can_move(status, S.CANCELLED)


# ---- the task's moves, and the two machines together ------------------------------------------

@pytest.mark.parametrize("current, target, allowed", [
    ("open", "assigned", True),
    ("assigned", "assigned", True),  # another courier, before pickup
    ("open", "open", True),  # packed: the dispatcher may now plan it
    ("assigned", "open", True),  # taken off its courier
    ("assigned", "picked_up", True),
    ("picked_up", "assigned", False),  # a picked-up task never changes courier
    ("picked_up", "delivered", True),
    ("picked_up", "failed", True),
    ("open", "picked_up", False),
    ("delivered", "failed", False),
    ("cancelled", "assigned", False),
    ("unknown", "assigned", False),
])
def test_task_moves(current, target, allowed):
    assert transitions.can_move_task(current, target) is allowed


def test_task_sources_are_what_a_guarded_update_accepts():
    assert transitions.task_sources("assigned") == ["assigned", "open"]
    assert transitions.task_sources("picked_up") == ["assigned"]
    assert transitions.task_sources("delivered") == ["picked_up"]
    assert transitions.task_sources("cancelled") == ["assigned", "open"]
    assert transitions.task_sources("open") == ["assigned", "open"]


# Where the task must be while its order is in each status (the invariant every move keeps).
TASK_WITH_ORDER = {
    S.PLACED: {"open"}, S.ACCEPTED: {"open"}, S.PICKING: {"open"}, S.READY: {"open"},
    S.ASSIGNED: {"assigned"}, S.PICKED_UP: {"picked_up"}, S.DELIVERED: {"delivered"},
    S.FAILED: {"failed"}, S.CANCELLED: {"cancelled"},
}


@pytest.mark.parametrize("move", sorted((m for m in transitions.MOVES if m[1] not in transitions.PICKUP_ONLY),
                                         key=lambda m: (m[0].value, m[1].value)))
def test_every_move_keeps_the_task_where_its_order_says(move):
    current, target = move
    task = transitions.MOVES[move]
    if task is None:  # the task stays: it must already be where the target status wants it
        assert TASK_WITH_ORDER[current] == TASK_WITH_ORDER[target]
    else:
        assert task.source in TASK_WITH_ORDER[current]
        assert task.target in TASK_WITH_ORDER[target]


def test_a_pickup_orders_own_moves_touch_no_task():
    """A pickup order (到店自提) never has a delivery task: its counter moves move none."""
    pickup_moves = [m for m in transitions.MOVES if m[1] in transitions.PICKUP_ONLY]
    assert pickup_moves == [(S.READY, S.COLLECTED)]
    assert all(transitions.MOVES[m] is None for m in pickup_moves)


def test_task_statuses_and_stamps_are_real():
    statuses = {m.source for m in transitions.MOVES.values() if m} | {m.target for m in transitions.MOVES.values() if m}
    assert statuses == {s.value for s in TaskStatus}
    for task in filter(None, transitions.MOVES.values()):
        assert task.stamp is None or hasattr(DeliveryTask, task.stamp)


def test_a_picked_up_task_never_changes_courier():
    assert not transitions.can_move_task("picked_up", "assigned")
    assert not transitions.can_move(S.PICKED_UP, S.ASSIGNED)
    assert transitions.REASSIGNABLE == {"open", "assigned"}
