"""Telling a parcel's recipient what happened to it: arrived, a new code, a reminder, going back to
the carrier. Check-in, the code's re-issue and the overdue ladder call ``tell``."""
from ..notifications.operations import notify
from .shelves import list_carriers


def tell(parcel, kind, step, now, **extra):
    """The parcel's recipient (and no one twice for one step): in the inbox if they have an
    account; by SMS through the outbox (the only way for an unregistered number) when a gateway is set."""
    from ..notifications.outbox import queue_sms

    # The carrier's two names, so the message reads in the reader's language when shown.
    names = next((c for c in list_carriers(parcel.store_id) if c.key == parcel.carrier), None)
    params = {"parcel_id": parcel.id, "carrier": parcel.carrier,
              "carrier_zh": names.name_zh if names else "", "carrier_en": names.name_en if names else "",
              "shelf_code": parcel.shelf_code,
              "tail": parcel.tracking_number[-4:], **{k: v for k, v in extra.items() if k != "code"}}
    key = f"parcel:{parcel.id}:{step}:{parcel.code_nonce or ''}" if step in ("arrived", "new_code") \
        else f"parcel:{parcel.id}:{step}"
    if parcel.recipient_id is not None:
        notify(parcel.recipient_id, parcel.store_id, kind, key, params=params, link="/parcels", now=now)
    queue_sms(parcel.store_id, parcel.recipient_phone, kind, key, {**params, **extra}, now,
              registered=parcel.recipient_id is not None)
