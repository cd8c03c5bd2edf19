"""A notification as the reader sees it, in their language, from its ``kind`` and ``params``."""
from datetime import datetime

from flask_babel import gettext as _, ngettext

from ..web.filters import local_datetime
from ..web.i18n import localized


def _clock(params, key):
    """A time kept in ``params`` (ISO, UTC) on the store's wall clock, hours and minutes."""
    value = params.get(key)
    if not value:
        return ""
    return local_datetime(datetime.fromisoformat(value), params.get("tz") or "Asia/Shanghai", "HH:mm")


def _order_late(params):
    return (_("Your order is running late"),
            _("Order #%(order)s will arrive around %(time)s instead of %(promised)s. Sorry for the wait.",
              order=params.get("order_id"), time=_clock(params, "eta_at"), promised=_clock(params, "promised_at")))


def _parcel_arrived(params):
    return (_("A parcel is waiting for you"),
            _("Your %(carrier)s parcel (…%(tail)s) is on shelf %(shelf)s. The pickup code is on your Parcels page.",
              carrier=localized(params, "carrier") or params.get("carrier", ""), tail=params.get("tail", ""),
              shelf=params.get("shelf_code", "")))


def _parcel_new_code(params):
    return (_("New pickup code"),
            _("Your parcel (…%(tail)s) has a new pickup code: see your Parcels page.", tail=params.get("tail", "")))


def _parcel_reminder(params):
    days, where = params.get("days_left", 0), dict(tail=params.get("tail", ""), shelf=params.get("shelf_code", ""))
    if days <= 0:
        body = _("Your parcel (…%(tail)s) on shelf %(shelf)s goes back to the carrier within a day: please "
                 "collect it today.", **where)
    else:
        body = ngettext("Your parcel (…%(tail)s) is on shelf %(shelf)s: %(num)d day left before it goes back "
                        "to the carrier.",
                        "Your parcel (…%(tail)s) is on shelf %(shelf)s: %(num)d days left before it goes back "
                        "to the carrier.", days, **where)
    return _("Your parcel is still waiting"), body


def _parcel_returning(params):
    return (_("Your parcel goes back to the carrier"),
            _("Your parcel (…%(tail)s) was not collected in time and goes back to %(carrier)s.",
              tail=params.get("tail", ""), carrier=localized(params, "carrier") or params.get("carrier", "")))


def _parcel_code_misses(params):
    return (_("Pickup codes that match no parcel"),
            _("At the counter, %(staff)s typed many pickup codes that match no parcel; code entry is paused "
              "for a while. If nobody at the counter was guessing, nothing needs doing.",
              staff=localized(params, "staff") or params.get("staff", "")))


def _pickup_code_misses(params):
    return (_("Pickup codes that match no order"),
            _("At the pickup counter, %(staff)s typed many codes that match no order; code entry is paused "
              "for a while. If nobody at the counter was guessing, nothing needs doing.",
              staff=params.get("staff", "")))


def _order_ready_for_pickup(params):
    return (_("Your order is ready for pickup"),
            _("Order #%(order)s is packed and waiting at the store's counter. Show the pickup code on the "
              "order's page.", order=params.get("order_id")))


def _scenario_push(params):
    """A push the store wrote (growth's scenario pushes): its title and text in the reader's
    language (each written in both), else the other; a coupon that came with it is named."""
    title = localized(params, "title") or _("A message from the store")
    body = localized(params, "body")
    if params.get("coupon"):
        body = " ".join(part for part in (body, _("A coupon is waiting in your coupons.")) if part)
    return title, body


RENDERERS = {
    "scenario_push": _scenario_push,
    "pickup_code_misses": _pickup_code_misses,
    "order_ready_for_pickup": _order_ready_for_pickup,
    "parcel_code_misses": _parcel_code_misses,
    "order_late": _order_late,
    "parcel_arrived": _parcel_arrived,
    "parcel_new_code": _parcel_new_code,
    "parcel_reminder": _parcel_reminder,
    "parcel_returning": _parcel_returning,
}


def renderer(kind):
    """Register ``fn(params) -> (title, body)`` for ``kind``: the packages above (orders, parcels)
    describe their own messages here, as a lower package hears of a higher one."""
    def register(fn):
        if kind in RENDERERS and RENDERERS[kind] is not fn:
            raise ValueError(f"a renderer for {kind!r} exists already")
        RENDERERS[kind] = fn
        return fn
    return register


def render(notification):
    """``(title, body)`` for a notification; an unknown kind is shown plainly rather than hidden."""
    renderer = RENDERERS.get(notification.kind)
    if renderer is None:
        return notification.kind, ""
    return renderer(notification.params or {})
