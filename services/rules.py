"""The marketplace's booking status machine: one function checks every transition.

Pure: plain values in, plain values out. Who may make a step (resident, vendor, staff, the clock) is
decided by the operation that calls ``steps.move``, the one writer of a booking's status; this module
says only which steps exist.
"""
from .statuses import BookingStatus as S

# Every allowed step. A booking's path: held -> requested -> accepted -> on the way -> arrived ->
# in progress -> done -> completed -> reviewed; or it ends as expired, cancelled, no-show, vendor
# no-show or disputed. A declined or unanswered request is re-offered, then escalated to staff.
TRANSITIONS = {
    S.HELD: {S.REQUESTED, S.EXPIRED, S.CANCELLED},
    S.REQUESTED: {S.ACCEPTED, S.REOFFERED, S.ESCALATED, S.CANCELLED, S.EXPIRED},
    S.REOFFERED: {S.ACCEPTED, S.ESCALATED, S.CANCELLED, S.EXPIRED},
    S.ESCALATED: {S.ACCEPTED, S.CANCELLED, S.EXPIRED},
    S.ACCEPTED: {S.ON_THE_WAY, S.ARRIVED, S.CANCELLED, S.VENDOR_NO_SHOW},
    S.ON_THE_WAY: {S.ARRIVED, S.CANCELLED, S.VENDOR_NO_SHOW},
    S.ARRIVED: {S.IN_PROGRESS, S.NO_SHOW, S.CANCELLED},
    S.IN_PROGRESS: {S.DONE},
    S.DONE: {S.COMPLETED},
    S.COMPLETED: {S.REVIEWED},
    S.NO_SHOW: {S.DISPUTED},
    S.DISPUTED: {S.NO_SHOW, S.CANCELLED},
    S.REVIEWED: set(),
    S.EXPIRED: set(),
    S.CANCELLED: set(),
    S.VENDOR_NO_SHOW: set(),
}

# Statuses in which a booking is over for good (nothing further can happen to it).
FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# Statuses a vendor works in (the job is theirs).
WORKING = frozenset({S.ACCEPTED, S.ON_THE_WAY, S.ARRIVED, S.IN_PROGRESS})
# Statuses waiting for some vendor to accept.
UNACCEPTED = frozenset({S.REQUESTED, S.REOFFERED, S.ESCALATED})


def can_transition(current, wanted):
    """Whether a booking in ``current`` may move to ``wanted``."""
    return S(wanted) in TRANSITIONS.get(S(current), set())

