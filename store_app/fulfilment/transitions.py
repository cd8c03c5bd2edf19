"""Pure: every move an order may make and what its delivery task does with it, in one table.

An order and its delivery task move together: the order's status says where the resident's goods
are, the task's where the courier's work is. ``MOVES`` lists each allowed ``(from, to)`` of the
order with the task's move (``None``: the task stays as it is). Every writer goes through
``fulfilment.moves``, which reads this table, so the two machines can never drift apart.
Task statuses are plain strings here (the ``TaskStatus`` enum lives with the model, which is not pure).
"""
from dataclasses import dataclass

from ..orders.statuses import OrderStatus as S


@dataclass(frozen=True)
class TaskMove:
    """What the order's delivery task does: ``source`` -> ``target``, stamping ``stamp`` (a column) with now."""

    source: str
    target: str
    stamp: str | None = None


_CANCEL_OPEN = TaskMove("open", "cancelled", "finished_at")

# (order from, order to) -> the task's move, or None when the task stays as it is.
MOVES = {
    (S.PLACED, S.ACCEPTED): None,
    (S.ACCEPTED, S.PICKING): None,
    (S.PICKING, S.READY): TaskMove("open", "open", "packed_at"),         # packed: the dispatcher may plan it
    (S.READY, S.ASSIGNED): TaskMove("open", "assigned", "assigned_at"),
    (S.ASSIGNED, S.ASSIGNED): TaskMove("assigned", "assigned", "assigned_at"),  # another courier, before pickup
    (S.ASSIGNED, S.READY): TaskMove("assigned", "open"),                 # taken off its courier
    (S.ASSIGNED, S.PICKED_UP): TaskMove("assigned", "picked_up", "picked_up_at"),  # never moves courier again
    (S.PICKED_UP, S.DELIVERED): TaskMove("picked_up", "delivered", "finished_at"),
    (S.PICKED_UP, S.FAILED): TaskMove("picked_up", "failed", "finished_at"),
    (S.READY, S.COLLECTED): None,  # a pickup order handed over at the counter: it never had a task
    (S.PLACED, S.CANCELLED): _CANCEL_OPEN,
    (S.ACCEPTED, S.CANCELLED): _CANCEL_OPEN,
    (S.PICKING, S.CANCELLED): _CANCEL_OPEN,
    (S.READY, S.CANCELLED): _CANCEL_OPEN,
    (S.ASSIGNED, S.CANCELLED): TaskMove("assigned", "cancelled", "finished_at"),
}
# Each status's possible next statuses (the order's machine on its own).
TRANSITIONS = {status: frozenset(to for (frm, to) in MOVES if frm is status) for status in S}
# The order's timestamp column each status sets.
TIMESTAMP_OF = {S.ACCEPTED: "accepted_at", S.PICKING: "picking_at", S.READY: "ready_at",
                S.ASSIGNED: "assigned_at", S.PICKED_UP: "picked_up_at", S.DELIVERED: "delivered_at",
                S.CANCELLED: "cancelled_at", S.FAILED: "failed_at", S.COLLECTED: "collected_at"}
FINISHED = frozenset({S.DELIVERED, S.COLLECTED, S.CANCELLED, S.FAILED})
# Only for pickup orders (at the counter) / only for delivery orders (a courier's moves).
PICKUP_ONLY = frozenset({S.COLLECTED})
DELIVERY_ONLY = frozenset({S.ASSIGNED, S.PICKED_UP, S.DELIVERED, S.FAILED})
ACTIVE = frozenset(S) - FINISHED
# The resident may cancel until picking starts.
RESIDENT_CANCELLABLE = frozenset({S.PLACED, S.ACCEPTED})
# Items can be struck off (and refunded) until the order is packed.
ITEM_EDITABLE = frozenset({S.PLACED, S.ACCEPTED, S.PICKING})
# The steps staff take on the board, in order: accept, start picking, hand over to delivery.
STORE_STEPS = (S.ACCEPTED, S.PICKING, S.READY)
# Tasks staff may still hand to another courier (a picked-up task stays with its courier).
REASSIGNABLE = frozenset({"open", "assigned"})


def can_move(current, target, pickup=False):
    """Whether an order may go from ``current`` to ``target`` (statuses or their values); a pickup
    order never takes a courier's steps, a delivery order is never collected at the counter."""
    if S(target) in (DELIVERY_ONLY if pickup else PICKUP_ONLY) or (pickup and S(current) in DELIVERY_ONLY):
        return False
    return (S(current), S(target)) in MOVES


def task_move(current, target):
    """The task's ``TaskMove`` when the order goes ``current`` -> ``target`` (None: the task stays)."""
    return MOVES[(S(current), S(target))]


def can_move_task(current, target):
    """Whether a delivery task may go from ``current`` to ``target`` with some move of its order."""
    return any(m is not None and (m.source, m.target) == (current, target) for m in MOVES.values())


def task_sources(target):
    """The statuses a task may be in to move to ``target``, sorted (what a guarded UPDATE accepts)."""
    return sorted({m.source for m in MOVES.values() if m is not None and m.target == target})


def can_resident_cancel(status):
    """Residents cancel only before picking starts."""
    return S(status) in RESIDENT_CANCELLABLE
