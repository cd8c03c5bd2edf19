"""How an order looks to the resident, shared by the page and its live JSON."""
import math

from flask_babel import get_locale, lazy_gettext as _l

from ..database import utcnow
from .models import OrderStatus as S

STATUS_LABELS = {
    S.PLACED: _l("Order placed"), S.ACCEPTED: _l("Accepted by the store"), S.PICKING: _l("Being picked"),
    S.READY: _l("Packed, waiting for a courier"), S.ASSIGNED: _l("Courier on the way to the store"),
    S.PICKED_UP: _l("On its way to you"), S.DELIVERED: _l("Delivered"), S.CANCELLED: _l("Cancelled"),
    S.FAILED: _l("Delivery failed"),
}
PROGRESS = [S.PLACED, S.ACCEPTED, S.PICKING, S.READY, S.ASSIGNED, S.PICKED_UP, S.DELIVERED]


def status_label(status):
    return str(STATUS_LABELS[S(status)])


def minutes_left(order, now):
    """Whole minutes until the promised time (0 when it has passed), None when finished."""
    if S(order.status) in (S.DELIVERED, S.CANCELLED, S.FAILED):
        return None
    return max(0, math.ceil((order.promised_at - now).total_seconds() / 60))


def _eta_text(minutes):
    if minutes is None:
        return ""
    if minutes == 0:
        return str(_l("Arriving any moment now"))
    return str(_l("Arrives in about %(n)d min", n=minutes))


def order_status_json(order, now=None):
    """The live facts of an order: status, steps done, minutes left, courier, unavailable items."""
    now = now or utcnow()
    lang = get_locale().language if get_locale() else "zh"
    reached = {}
    for event in order.events:  # the first event of a status is when it was reached (later ones are notes)
        reached.setdefault(event.status, event.at)
    return {
        "id": order.id,
        "status": order.status,
        "status_label": status_label(order.status),
        "minutes_left": minutes_left(order, now),
        "eta_text": _eta_text(minutes_left(order, now)),
        "promised_at": order.promised_at.isoformat(),
        "courier": order.courier.name if order.courier is not None else None,
        "steps": [{"status": s.value, "label": status_label(s), "done": s.value in reached,
                   "at": reached[s.value].isoformat() if s.value in reached else None} for s in PROGRESS],
        "unavailable": [item.name(lang) for item in order.items if item.unavailable],
        "refunded_cents": order.refunded_cents,
        "cancellable": S(order.status) in (S.PLACED, S.ACCEPTED),
    }
