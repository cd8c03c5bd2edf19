"""How an order looks to the resident, shared by the page and its live JSON."""
import math

import segno
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from markupsafe import Markup

from ..database import format_cents
from ..web.i18n import localized
from .models import OrderStatus as S
from .rules import amount_due_cents, refund_on_cancel_cents
from .statuses import PaymentMethod

STATUS_LABELS = {
    S.PLACED: _l("Order placed"), S.ACCEPTED: _l("Accepted by the store"), S.PICKING: _l("Being picked"),
    S.READY: _l("Packed, waiting for a courier"), S.ASSIGNED: _l("Courier on the way to the store"),
    S.PICKED_UP: _l("On its way to you"), S.DELIVERED: _l("Delivered"), S.CANCELLED: _l("Cancelled"),
    S.FAILED: _l("Delivery failed"), S.COLLECTED: _l("Collected at the store"),
}
PROGRESS = [S.PLACED, S.ACCEPTED, S.PICKING, S.READY, S.ASSIGNED, S.PICKED_UP, S.DELIVERED]
# A pickup order (到店自提) says "ready" differently and has no courier steps.
PICKUP_LABELS = {**STATUS_LABELS, S.READY: _l("Ready: collect it at the counter")}
PICKUP_PROGRESS = [S.PLACED, S.ACCEPTED, S.PICKING, S.READY, S.COLLECTED]
FINISHED = (S.DELIVERED, S.COLLECTED, S.CANCELLED, S.FAILED)


# Why an order ended early, from the note its last event carries ("store: out_of_stock: …",
# "nobody_home: …"): what the resident reads.
END_REASONS = {
    "out_of_stock": _l("Some items were out of stock."),
    "customer_request": _l("Cancelled at your request."),
    "cannot_deliver": _l("The store could not deliver this order."),
    "nobody_home": _l("The courier found nobody at home."),
    "refused": _l("The delivery was refused."),
    "cancelled by resident": _l("You cancelled this order."),
    "nothing left to deliver": _l("None of the items were available."),
}


def end_reason(order):
    """The resident's sentence for why a cancelled or failed order ended, or None."""
    if S(order.status) not in (S.CANCELLED, S.FAILED):
        return None
    note = next((e.note for e in reversed(order.events) if e.status == order.status), "") or ""
    parts = [p.strip() for p in note.removeprefix("store:").split(":", 1)]
    known = END_REASONS.get(parts[0])
    extra = parts[1] if len(parts) > 1 else ""
    if known is None:
        return extra or None
    return f"{known} {extra}".strip()


def status_label(status):
    return str(STATUS_LABELS[S(status)])


def pickup_status_label(status):
    """A pickup order's status as the resident and the counter read it."""
    return str(PICKUP_LABELS[S(status)])


def order_status_label(order):
    """The order's status in words, for its kind (delivered, or collected at the store)."""
    return pickup_status_label(order.status) if order.is_pickup else status_label(order.status)


# While the courier carries the order, the resident may see where the courier is; never otherwise.
COURIER_VISIBLE = (S.ASSIGNED, S.PICKED_UP)


def expected_at(order):
    """When the order should arrive: the promise, or the dispatcher's later estimate once it runs late."""
    return order.late_eta_at if order.late_eta_at is not None else order.promised_at


def minutes_left(order, now):
    """Whole minutes until the expected time (0 when it has passed), None when finished."""
    if S(order.status) in FINISHED:
        return None
    return max(0, math.ceil((expected_at(order) - now).total_seconds() / 60))


def is_running_late(order):
    return order.late_eta_at is not None and S(order.status) not in FINISHED


def _eta_text(minutes):
    if minutes is None:
        return ""
    if minutes == 0:
        return str(_l("Arriving any moment now"))
    return str(_l("Arrives in about %(n)d min", n=minutes))


def payment_text(order):
    """How the order is paid, and what is still to pay at the door (after refunds)."""
    if order.payment_method == PaymentMethod.WALLET.value:
        return _("Paid from your wallet")
    amount = format_cents(amount_due_cents(order))
    if order.is_pickup:
        if order.payment_method == PaymentMethod.CARD.value:
            return _("Card at the counter: %(amount)s", amount=amount)
        return _("Cash at the counter: %(amount)s", amount=amount)
    if order.payment_method == PaymentMethod.CARD.value:
        return _("Card on delivery: %(amount)s", amount=amount)
    return _("Cash on delivery: %(amount)s", amount=amount)


def cancel_refund_text(order):
    """What cancelling now would give back, and where, before the resident confirms."""
    amount = refund_on_cancel_cents(order)
    if order.payment_method != PaymentMethod.WALLET.value:
        return _("Nothing has been charged yet (you were to pay on delivery), so nothing is taken "
                 "and nothing needs refunding.")
    if not amount:
        return _("Everything was refunded already: there is nothing more to refund.")
    return _("%(amount)s goes back to your wallet at once.", amount=format_cents(amount))


def refund_outcome_text(order):
    """What the resident got back once the order ended: how much and where."""
    if order.payment_method != PaymentMethod.WALLET.value:
        return _("Nothing was charged: you were to pay on delivery.")
    if not order.refunded_cents:
        return _("Nothing was refunded.")
    return _("%(amount)s was refunded to your wallet.", amount=format_cents(order.refunded_cents))


def _items_json(order, lang):
    return [{"id": item.id, "name": item.name(lang), "quantity": item.quantity,
             "line": format_cents(item.line_cents), "unavailable": item.unavailable} for item in order.items]


def _totals_json(order):
    """The order's money as the page shows it (formatted), and the refunded cents."""
    return {"delivery_fee": format_cents(order.delivery_fee_cents), "total": format_cents(order.total_cents),
            "refunded": format_cents(order.refunded_cents), "refunded_cents": order.refunded_cents,
            "payment_text": payment_text(order)}


def _pickup_eta_text(order, minutes):
    if minutes is None:
        return ""
    if S(order.status) == S.READY or minutes == 0:
        return str(_l("Ready at the counter now"))
    return str(_l("Ready for pickup in about %(n)d min", n=minutes))


def order_status_json(order, now, courier_position=None):
    """The live facts of an order: status, steps done, minutes left, courier, its lines (struck
    when unavailable) and money after refunds, what cancelling would refund.

    ``courier_position`` ``(lat, lon, at)`` is shown only while the courier carries this order.
    """
    lang = get_locale().language if get_locale() else "zh"
    pickup = order.is_pickup
    label, progress = (pickup_status_label, PICKUP_PROGRESS) if pickup else (status_label, PROGRESS)
    reached = {}
    for event in order.events:  # the first event of a status is when it was reached (later ones are notes)
        reached.setdefault(event.status, event.at)
    return {
        "id": order.id,
        "status": order.status,
        "status_label": label(order.status),
        "minutes_left": minutes_left(order, now),
        "eta_text": (_pickup_eta_text(order, minutes_left(order, now)) if pickup
                     else _eta_text(minutes_left(order, now))),
        "pickup": pickup,
        "promised_at": order.promised_at.isoformat(),
        "late": is_running_late(order),
        "late_text": str(_l("Running late: sorry, the new estimate is shown above.")) if is_running_late(order) else "",
        "courier_position": ({"lat": courier_position[0], "lon": courier_position[1],
                              "at": courier_position[2].isoformat() if courier_position[2] else None}
                             if courier_position is not None and S(order.status) in COURIER_VISIBLE else None),
        "en_route": S(order.status) in COURIER_VISIBLE,
        "courier": localized(order.courier) if order.courier is not None else None,
        "steps": [{"status": s.value, "label": label(s), "done": s.value in reached,
                   "at": reached[s.value].isoformat() if s.value in reached else None} for s in progress],
        "unavailable": [item.name(lang) for item in order.items if item.unavailable],
        "refunded_cents": order.refunded_cents,
        "cancellable": S(order.status) in (S.PLACED, S.ACCEPTED),
        "cancel_refund_text": cancel_refund_text(order),
        "end_reason": end_reason(order),
        "items": _items_json(order, lang),
        "totals": _totals_json(order),
    }


def qr_svg(code):
    """A pickup code as an inline SVG QR code (full QR, medium error correction) for the counter's scanner."""
    qr = segno.make(code, error="m", micro=False)
    return Markup(qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None,
                                dark="#000", light="#fff"))
