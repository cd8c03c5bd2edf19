"""The demo marketplace's month, as bookings planned in memory (``seed_services`` flushes them): each
vendor's past jobs spread over the last four weeks inside its weekly hours, the month's other endings
(late and free cancellations, a resident not at the door, a vendor who never came and the rebooking
the store offered), the free redo of a complaint, and the coming jobs. Each booking goes to the first
of the vendor's crews that is free then, so no crew is ever in two places at once."""
from datetime import timedelta

from services.booking_models import Booking

from . import services_data as sd

TAKES_PLACE_UNTIL = {"requested": 0, "accepted": 1, "no_show": 2, "completed": 3, "reviewed": 3}
LOCKOUT_NOTE = "已核对身份证，姓名与住址登记一致"


def past_month(market):
    """Plan every demo booking of the month into ``market.bookings`` (with ``market.story``)."""
    for vendor_index, spec in enumerate(sd.VENDORS):
        stars = sd.PAST_JOBS[spec["key"]]
        for job, given in enumerate(stars):
            _past_job(market, vendor_index, spec["key"], job, len(stars), given)
    for ending in sd.ENDINGS:
        _ending(market, *ending)
    _redo(market)
    for coming in sd.COMING:
        _coming(market, *coming)


def _past_job(market, vendor_index, key, job, count, stars):
    offerings = market.offerings[key]
    offering = offerings[job % len(offerings)]
    days_ago = 30 - round((job + 0.5) * 28 / count)
    hour, minute = sd.LOCAL_STARTS[(job + vendor_index) % len(sd.LOCAL_STARTS)]
    start = _fit(market, key, offering, -days_ago, hour * 60 + minute)
    resident = market.residents[sd.resident_for(vendor_index, job)]
    cash = job % sd.CASH_EVERY == sd.CASH_EVERY - 1
    late_min = 10 * (job % 3) if key == sd.PROBATION_VENDOR else 0
    booking = _book(market, key, offering, start, resident, "reviewed" if stars else "completed",
                    payment="cash" if cash else "wallet", late_min=late_min,
                    extras_cents=4_000 if cash and offering.price_model == "from" else 0)
    story = market.story[booking]
    category = market.categories_by_id[offering.category_id].slug
    if stars:
        texts = sd.REVIEW_TEXTS.get((category, stars)) or sd.REVIEW_TEXTS[("cleaning", stars)]
        story.update(stars=stars, text=texts[job % len(texts)], reply=sd.REPLIES.get((key, job)))
    if (key, job) == sd.REDO_CLAIM[:2]:
        story.update(claim=sd.REDO_CLAIM[2], claimed_at=booking.completed_at + timedelta(hours=20))


def _ending(market, key, offering_index, days_ago, local_start, what, hours_before):
    """A job of the month that did not end in a completed job."""
    offering = market.offerings[key][offering_index]
    category = market.categories_by_id[offering.category_id]
    start = _fit(market, key, offering, -days_ago, local_start[0] * 60 + local_start[1])
    resident = market.residents[sd.resident_for(len(sd.VENDORS) + offering_index, days_ago)]
    requested_at = start - timedelta(hours=max(27, hours_before + 24))
    if what in ("late_cancel", "free_cancel"):
        fee = _percent(_price(offering), category.late_cancel_pct if what == "late_cancel" else 0)
        _book(market, key, offering, start, resident, "cancelled", requested_at=requested_at,
              ended_at=start - timedelta(hours=hours_before), fee_cents=fee, cancelled_by="resident",
              cancel_reason=sd.CANCEL_REASONS[what])
    elif what == "no_show":
        _book(market, key, offering, start, resident, "no_show", requested_at=requested_at,
              ended_at=start + timedelta(minutes=20), fee_cents=_percent(_price(offering), category.no_show_pct))
    else:  # the vendor never came: a full refund, and the store rebooked the resident the next day
        missed = _book(market, key, offering, start, resident, "vendor_no_show", requested_at=requested_at,
                       ended_at=start + timedelta(minutes=45))
        _rebook(market, missed, offering, days_ago)


def _rebook(market, missed, offering, days_ago):
    """The rebooking offered after a vendor no-show: the first other vendor of the category, at the
    same price or better, the next day; done."""
    key = next(spec["key"] for spec in sd.VENDORS if spec["key"] != sd.PROBATION_VENDOR
               and any(o.category_id == offering.category_id for o in market.offerings[spec["key"]]))
    other = next(o for o in market.offerings[key] if o.category_id == offering.category_id)
    start = _fit(market, key, other, -(days_ago - 1), 14 * 60, forward=True)
    _book(market, key, other, start, market.resident_by_id[missed.resident_id], "completed",
          requested_at=missed.ended_at + timedelta(minutes=30), price_cents=min(missed.price_cents, _price(other)),
          description=sd.REBOOKING_NOTE)


def _redo(market):
    """The complaint's free redo: the same vendor, three days after the job, nothing to pay."""
    original, story = next((b, s) for b, s in market.story.items() if "claim" in s)
    key = next(k for k, v in market.vendors.items() if v.id == original.vendor_id)
    offering = market.offering_by_id[original.offering_id]
    days = (original.starts_at - market.local(0, 0)).days + 3
    start = _fit(market, key, offering, days, 14 * 60, forward=True)
    redo = _book(market, key, offering, start, market.resident_by_id[original.resident_id], "completed",
                 requested_at=story["claimed_at"] + timedelta(hours=6), price_cents=original.price_cents, held_cents=0,
                 description=story["claim"], offered=False)  # staff booked it straight from the complaint
    market.story[redo].update(redo_of=original, claim=story["claim"], claimed_at=story["claimed_at"])


def _coming(market, key, offering_index, days_ahead, local_start, status, crew_index):
    offering = market.offerings[key][offering_index]
    start = _fit(market, key, offering, days_ahead, local_start[0] * 60 + local_start[1], forward=True)
    resident = market.residents[sd.resident_for(crew_index + offering_index, days_ahead + len(market.bookings))]
    requested_at = market.now - (timedelta(minutes=6 + 4 * offering_index) if status == "requested"
                                 else timedelta(hours=5))
    _book(market, key, offering, start, resident, status, requested_at=requested_at, crew_index=crew_index)


# ---- building one booking ----------------------------------------------------------------------

def _price(offering):
    """The booking price of ``offering``: per hour times its duration, or its (starting) price."""
    if offering.price_model == "hourly":
        return offering.price_cents * offering.duration_min // 60
    return offering.price_cents


def _percent(cents, pct):
    return cents * pct // 100


def _fit(market, key, offering, days, start_min, forward=False):
    """The aware start of ``offering`` on the working day nearest ``days`` from today (back, or
    ``forward``), moved inside that day's hours of the vendor."""
    step = 1 if forward else -1
    while True:
        weekday = market.local(days, 0).astimezone(market.zone).weekday()
        window = next((w for w in market.windows[key] if weekday in w[0]), None)
        if window:
            break
        days += step
    _days, opens, closes = window
    start_min = max(start_min, opens + offering.buffer_before_min)
    start_min = min(start_min, closes - offering.duration_min - offering.buffer_after_min)
    return market.local(days, start_min // 60, start_min % 60)


def _free_crew(market, key, block_start, block_end, prefer=0):
    """The first crew of the vendor (from ``prefer`` on) with no planned booking overlapping the block."""
    crews = market.crews[key]
    for step in range(len(crews)):
        crew = crews[(prefer + step) % len(crews)]
        if not any(b.crew_id == crew.id and b.block_start_at < block_end and block_start < b.block_end_at
                   for b in market.bookings):
            return crew
    raise RuntimeError(f"the demo plans two jobs at once for every crew of {key} at {block_start}")


def _book(market, key, offering, start, resident, status, *, payment="wallet", requested_at=None, crew_index=None,
          late_min=0, offered=True, **values):
    """Plan one booking of ``offering`` at ``start`` in ``status`` with every step's time up to it."""
    vendor, category = market.vendors[key], market.categories_by_id[offering.category_id]
    ends = start + timedelta(minutes=offering.duration_min)
    block = (start - timedelta(minutes=offering.buffer_before_min), ends + timedelta(minutes=offering.buffer_after_min))
    crew = _free_crew(market, key, *block, prefer=crew_index if crew_index is not None else len(market.bookings))
    address = market.addresses[resident.id]
    address_text = f"{address.building.name_zh} {address.unit}"
    requested_at = requested_at or start - timedelta(hours=27)
    price = values.pop("price_cents", _price(offering))
    descriptions = sd.DESCRIPTIONS[category.slug]
    values.setdefault("description", descriptions[len(market.bookings) % len(descriptions)])
    values.setdefault("held_cents", price if payment == "wallet" else 0)
    booking = Booking(
        store_id=vendor.store_id, resident_id=resident.id, offering_id=offering.id, category_id=category.id,
        vendor_id=vendor.id, crew_id=crew.id, status=status, starts_at=start, ends_at=ends, block_start_at=block[0],
        block_end_at=block[1], address_id=address.id, address_text=address_text, contact_phone=resident.phone,
        price_model=offering.price_model, price_cents=price, commission_bps=category.commission_bps,
        payment_method=payment, created_at=requested_at, requested_at=requested_at,
        accept_by_at=requested_at + timedelta(minutes=30), **values)
    _stamp(booking, status, late_min, lockout=category.needs_verified_address)
    market.bookings.append(booking)
    market.story[booking] = {"lockout": category.needs_verified_address and status != "cancelled"}
    if offered:
        _offer(market, booking)
    return booking


def _stamp(booking, status, late_min, lockout):
    """Every step's time up to ``status``: accepted a few minutes after the request, on the way half an
    hour before the start, at the door (late by ``late_min``), the work, the resident's confirmation."""
    if status == "requested":
        return
    booking.accepted_at = booking.requested_at + timedelta(minutes=7 + booking.starts_at.minute % 11)
    reached = TAKES_PLACE_UNTIL.get(status, 1)
    if reached >= 2:
        booking.on_the_way_at = booking.starts_at - timedelta(minutes=30)
        booking.arrived_at = booking.starts_at + timedelta(minutes=late_min - 5)
    if reached >= 3:
        booking.started_at = booking.arrived_at + timedelta(minutes=5)
        if lockout:
            booking.id_checked_at, booking.id_check_note = booking.arrived_at + timedelta(minutes=2), LOCKOUT_NOTE
        booking.done_at = booking.ends_at + timedelta(minutes=late_min)
        booking.completed_at = booking.done_at + timedelta(hours=3)


def _offer(market, booking):
    """The job as first offered to its vendor: still open for a request, otherwise accepted."""
    story = market.story[booking]
    if booking.status == "requested":
        story["offer"] = ("offered", booking.requested_at, booking.accept_by_at, None)
    else:
        story["offer"] = ("accepted", booking.requested_at, booking.accept_by_at, booking.accepted_at)
