"""Telling people what happened to a parcel: its recipient (arrived, a new code, a reminder, going
back to the carrier, collected for them by a proxy) and a proxy (named, or no longer). Check-in, the
code's re-issue, the overdue ladder, the handover and the resident's proxy list call these. The
proxies' messages are described here and registered with ``notifications.presenters``."""
from flask_babel import force_locale, gettext as _

from ..accounts.models import User
from ..accounts.rules import display_phone
from ..extensions import db
from ..notifications.operations import notify
from ..notifications.presenters import renderer
from ..roles import Role
from ..web.i18n import localized
from .shelves import list_carriers


def _carrier_params(parcel):
    """The carrier's two names, so that a message reads in its reader's language when shown."""
    names = next((c for c in list_carriers(parcel.store_id) if c.key == parcel.carrier), None)
    return {"carrier": parcel.carrier, "carrier_zh": names.name_zh if names else "",
            "carrier_en": names.name_en if names else ""}


def tell(parcel, kind, step, now, **extra):
    """The parcel's recipient (and no one twice for one step): in the inbox if they have an
    account; by SMS through the outbox (the only way for an unregistered number) when a gateway is set."""
    from ..notifications.outbox import queue_sms

    params = {"parcel_id": parcel.id, **_carrier_params(parcel),
              "shelf_code": parcel.shelf_code,
              "tail": parcel.tracking_number[-4:], **{k: v for k, v in extra.items() if k != "code"}}
    key = f"parcel:{parcel.id}:{step}:{parcel.code_nonce or ''}" if step in ("arrived", "new_code") \
        else f"parcel:{parcel.id}:{step}"
    if parcel.recipient_id is not None:
        notify(parcel.recipient_id, parcel.store_id, kind, key, params=params, link="/parcels", now=now)
    queue_sms(parcel.store_id, parcel.recipient_phone, kind, key, {**params, **extra}, now,
              registered=parcel.recipient_id is not None)


# ---- proxies -----------------------------------------------------------------------------------

def _proxy_params(grant, owner, parcel):
    return {"owner": owner.name, "all": parcel is None,
            **(_carrier_params(parcel) if parcel is not None else {"carrier": ""}),
            "tail": parcel.tracking_number[-4:] if parcel is not None else ""}


def _tell_proxy(grant, kind, step, params, now):
    """The proxy of ``grant``: in their inbox when their phone has an account at this store; else
    by SMS, when a gateway is set (the outbox queues it once per key)."""
    from ..notifications.outbox import queue, sms_gateway_configured

    key = f"parcel_proxy:{grant.id}:{step}"
    proxy_id = db.session.scalar(db.select(User.id).where(
        User.store_id == grant.store_id, User.phone == grant.proxy_phone, User.role == Role.RESIDENT.value))
    if proxy_id is not None:
        notify(proxy_id, grant.store_id, kind, key, params=params, link="/parcels", now=now)
    elif sms_gateway_configured():
        with force_locale("zh"):
            title, body = RENDER[kind](params)
        queue(grant.store_id, "sms", grant.proxy_phone, f"{title}: {body}", f"{key}:sms", now)


def tell_proxy_named(grant, owner, parcel, now):
    """The person ``owner`` just named (``grant``) learns they may collect: one parcel, or all."""
    _tell_proxy(grant, "parcel_proxy_named", "named", _proxy_params(grant, owner, parcel), now)


def tell_proxy_withdrawn(grant, owner, parcel, now):
    """The person named by ``grant`` learns they may no longer collect for ``owner``."""
    _tell_proxy(grant, "parcel_proxy_withdrawn", "withdrawn", _proxy_params(grant, owner, parcel), now)


def tell_collected_by_proxy(owner_id, store_id, parcels, proxy_name, proxy_phone, now):
    """The recipient learns that a proxy collected ``parcels`` for them at the counter (one message
    per handover: the first parcel's id keys it, and a parcel is handed over once)."""
    first = min(parcels, key=lambda p: p.id)
    notify(owner_id, store_id, "parcel_proxy_collected", f"parcel:{first.id}:proxy_collected", params={
        "count": len(parcels), "tails": [p.tracking_number[-4:] for p in sorted(parcels, key=lambda p: p.id)],
        "proxy_name": proxy_name, "proxy_phone": proxy_phone}, link="/parcels", now=now)


def _what(params):
    if params.get("all"):
        return _("all their parcels at the store")
    carrier = localized(params, "carrier") or params.get("carrier", "")
    return _("their %(carrier)s parcel (…%(tail)s)", carrier=carrier, tail=params.get("tail", ""))


@renderer("parcel_proxy_named")
def _proxy_named(params):
    return (_("You may collect parcels for someone"),
            _("%(owner)s lets you collect %(what)s. Their pickup code shows on your Parcels page; give it at "
              "the counter.", owner=params.get("owner", ""), what=_what(params)))


@renderer("parcel_proxy_withdrawn")
def _proxy_withdrawn(params):
    return (_("You may no longer collect for someone"),
            _("%(owner)s no longer lets you collect %(what)s.", owner=params.get("owner", ""), what=_what(params)))


@renderer("parcel_proxy_collected")
def _proxy_collected(params):
    who = params.get("proxy_name") or display_phone(params.get("proxy_phone", ""))
    if params.get("proxy_name") and params.get("proxy_phone"):
        who = f"{who} ({display_phone(params['proxy_phone'])})"
    count = params.get("count") or 1
    tails = ", …".join(params.get("tails") or [])
    if count == 1:
        body = _("%(who)s collected your parcel (…%(tails)s) for you at the counter.", who=who, tails=tails)
    else:
        body = _("%(who)s collected %(num)d of your parcels (…%(tails)s) for you at the counter.",
                 who=who, num=count, tails=tails)
    return _("Your parcel was collected for you"), body


RENDER = {"parcel_proxy_named": _proxy_named, "parcel_proxy_withdrawn": _proxy_withdrawn}
