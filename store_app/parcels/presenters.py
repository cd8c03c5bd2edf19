"""What the resident's parcel pages show for a parcel: its pickup code and the code's QR, the
tracking number's last digits, the days left before it goes back to the carrier, the storage fee
so far or until when it is free. Reads only; ``now`` is passed in by the view."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from flask import g
from flask_login import current_user
from markupsafe import Markup

from ..web.i18n import localized
from . import codes, residents, rules, shelves, terms
from .models import Parcel, ParcelStatus


@dataclass(frozen=True)
class ParcelCard:
    """A parcel on the shelf as its recipient (or their proxy) sees it."""

    parcel: Parcel
    code: str | None          # None once it is listed for return or locked (the code no longer works)
    qr_svg: Markup | None
    tail: str                 # the tracking number's last 4 characters
    days_left: int            # whole days before it goes back to the carrier
    fee_cents: int            # storage fee if collected now
    free_until: datetime | None  # aware UTC; None once a fee is due
    locked: bool = False      # the counter locked its code after too many wrong tries: staff re-issue one

    @property
    def waiting(self):
        return self.parcel.status == ParcelStatus.WAITING.value


def tail_of(parcel):
    """The tracking number's last 4 characters: enough to tell parcels apart, not to track them."""
    return parcel.tracking_number[-4:]


def qr_svg(code):
    """The pickup code as an inline SVG QR code. A full QR code (never a Micro QR, which the
    counter's camera scanners cannot read), medium error correction, four modules of quiet zone."""
    qr = segno.make(code, error="m", micro=False)
    return Markup(qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None,
                                dark="#000", light="#fff"))


def card(store, parcel, now):
    """The ``ParcelCard`` of one parcel at ``now``."""
    waiting = parcel.status == ParcelStatus.WAITING.value
    locked = waiting and rules.is_code_locked(parcel.code_misses)
    code = codes.pickup_code(parcel) if waiting and not locked else None
    fee = terms.fee_due(store, parcel, now)
    return ParcelCard(parcel=parcel, code=code, qr_svg=qr_svg(code) if code else None, tail=tail_of(parcel),
                      days_left=rules.days_before_return(parcel.checked_in_at, now, terms.ladder(store)),
                      fee_cents=fee,
                      free_until=None if fee else parcel.checked_in_at + timedelta(days=store.parcel_free_days),
                      locked=locked)


@dataclass(frozen=True)
class MyParcels:
    """Everything on the resident's Parcels tab."""

    on_shelf: list      # [ParcelCard]: waiting, then listed for return
    out: list           # [Parcel] on their way to the door
    for_others: list    # [ParcelCard] the resident may collect for someone else
    history: list       # [Parcel] collected or returned, newest first


def my_parcels(user, store, now):
    """The resident's Parcels tab at ``now``."""
    mine = residents.list_for_resident(user)
    on_shelf = [card(store, p, now) for p in mine if p.status != ParcelStatus.OUT_FOR_DELIVERY.value]
    on_shelf.sort(key=lambda c: (not c.waiting, c.parcel.checked_in_at, c.parcel.id))
    return MyParcels(on_shelf=on_shelf,
                     out=[p for p in mine if p.status == ParcelStatus.OUT_FOR_DELIVERY.value],
                     for_others=[card(store, p, now) for p in residents.list_for_proxy(user)],
                     history=residents.history_for_resident(user))


def carrier_name(stored):
    """A parcel's carrier (``Parcel.carrier``, a carrier's key) in the page's language; a name the
    store's list does not know is shown as it was typed."""
    if "parcel_carriers" not in g:
        store_id = getattr(current_user, "store_id", None)
        g.parcel_carriers = {c.key: c for c in shelves.list_carriers(store_id)} if store_id else {}
    known = g.parcel_carriers.get(stored)
    return localized(known) if known is not None else (stored or "")
