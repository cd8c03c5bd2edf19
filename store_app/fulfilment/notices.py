"""Telling the resident what the store did to their order: a line struck off as unavailable (what
went, what came back and where), an order the store cancelled. One inbox message per event (its
``dedupe_key``), in the reader's language when shown: the renderers are registered with
``notifications.presenters`` here, above it on the ladder."""
from flask_babel import gettext as _

from ..database import format_cents
from ..notifications.operations import notify
from ..notifications.presenters import renderer
from ..orders.presenters import END_REASONS
from ..orders.statuses import PaymentMethod


def _link(order):
    return f"/orders/{order.id}"


def tell_item_unavailable(order, item, refund_cents, now):
    """The resident is told that ``item`` of ``order`` is not available and ``refund_cents`` come back."""
    notify(order.user_id, order.store_id, "order_item_unavailable", f"order_item_unavailable:{item.id}",
           params={"order_id": order.id, "name_zh": item.name_zh, "name_en": item.name_en,
                   "quantity": item.quantity, "refund_cents": refund_cents, "payment": order.payment_method},
           link=_link(order), now=now)


def tell_cancelled_by_store(order, reason, refund_cents, now):
    """The resident is told the store cancelled ``order`` (``reason``: a key of ``END_REASONS`` or
    words staff typed) and what comes back."""
    notify(order.user_id, order.store_id, "order_cancelled", f"order_cancelled:{order.id}",
           params={"order_id": order.id, "reason": reason, "refund_cents": refund_cents,
                   "payment": order.payment_method},
           link=_link(order), now=now)


def _refund_sentence(params, cancelled=False):
    """Where the money went: the wallet, or less (or nothing) to pay at the door."""
    cents = params.get("refund_cents") or 0
    if params.get("payment") == PaymentMethod.WALLET.value:
        return _("%(amount)s went back to your wallet.", amount=format_cents(cents)) if cents else ""
    if cancelled:
        return _("Nothing was charged: you were to pay on delivery.")
    return _("You pay %(amount)s less on delivery.", amount=format_cents(cents)) if cents else ""


def _lang_name(params):
    from flask_babel import get_locale

    locale = get_locale()
    return params.get("name_en") if locale is not None and locale.language == "en" else params.get("name_zh")


@renderer("order_item_unavailable")
def _item_unavailable(params):
    body = _("Order #%(order)s: %(item)s × %(num)d is not available and was taken off your order.",
             order=params.get("order_id"), item=_lang_name(params) or "", num=params.get("quantity") or 1)
    return _("An item of your order is not available"), f"{body} {_refund_sentence(params)}".strip()


@renderer("order_cancelled")
def _order_cancelled(params):
    reason = params.get("reason") or ""
    known = END_REASONS.get(reason.split(":", 1)[0].strip())
    words = reason.split(":", 1)[1].strip() if ":" in reason else ("" if known else reason)
    why = " ".join(part for part in (str(known) if known else "", words) if part)
    body = _("The store cancelled order #%(order)s.", order=params.get("order_id"))
    return _("Your order was cancelled"), " ".join(part for part in (body, why, _refund_sentence(params, True)) if part)
