"""What the parent's pages show: each child's "tomorrow" card (the next pickup day), the menu of a
date with its portions, and the code page's QR. Reads only, except ``open_day`` (which makes a day
that is open for ordering, as the first parent looking at it does)."""
from dataclasses import dataclass, field
from datetime import timedelta

import segno
from markupsafe import Markup

from ..extensions import db
from ..wallet.operations import get_balance
from . import errors, rules
from .days import find_day
from .models import BreakfastDay, BreakfastOrder, DayItem, OrderStatus
from .operations import ensure_day
from .ordering import pickup_code, rules_live_statuses
from .presenters import allergen_names
from .settings import get_settings, store_overrides

LOOK_AHEAD_DAYS = 21


@dataclass
class DayInfo:
    """A pickup date's times, from its day row or, before the day exists, from the settings."""
    date: object
    opens_at: object
    order_cutoff_at: object
    cancel_cutoff_at: object
    pickup_start_at: object
    pickup_end_at: object
    day: object = None     # the BreakfastDay, when it exists
    make_up: bool = False  # a weekend school day (调休)

    @property
    def status(self):
        return self.day.status if self.day is not None else "open"


@dataclass
class ChildCard:
    child: object
    info: object = None            # DayInfo of the next pickup day, or None
    order: object = None
    allergy_conflicts: list = field(default_factory=list)   # [(item, allergen names)]
    balance_after_cents: int = 0
    can_order: bool = False
    can_skip: bool = False
    seconds_left: int = 0


def day_info(store, date, settings=None, day=None):
    day = day if day is not None else find_day(store.id, date)
    if day is not None:
        info = DayInfo(date, day.opens_at, day.order_cutoff_at, day.cancel_cutoff_at, day.pickup_start_at,
                       day.pickup_end_at, day)
    else:
        t = rules.times_from_settings(date, store.timezone, settings or get_settings(store.id))
        info = DayInfo(date, t.opens_at, t.order_cutoff_at, t.cancel_cutoff_at, t.pickup_start_at, t.pickup_end_at)
    info.make_up = date.weekday() >= 5
    return info


def pickup_days(store, now, count=LOOK_AHEAD_DAYS):
    """The coming pickup dates (school days, or days that exist and are not closed) whose pickup
    window has not ended, soonest first, within ``count`` days."""
    settings = get_settings(store.id)
    overrides = store_overrides(store.id)
    today = rules.local_today(now, store.timezone)
    existing = {d.date: d for d in db.session.scalars(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store.id, BreakfastDay.date.between(today, today + timedelta(days=count))))}
    found = []
    for n in range(count + 1):
        date = today + timedelta(days=n)
        day = existing.get(date)
        if day is not None:
            if day.status == "closed":
                continue
        elif not rules.is_school_day(date, overrides, settings.calendar)[0]:
            continue
        info = day_info(store, date, settings, day)
        if info.pickup_end_at > now:
            found.append(info)
    return found


def unpaid_total(parent_id):
    """What the parent's placed (not yet charged) breakfasts will cost at their cutoffs."""
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(BreakfastOrder.total_cents), 0)).where(
        BreakfastOrder.parent_id == parent_id, BreakfastOrder.status == OrderStatus.PLACED.value)) or 0


def child_order_on(child_id, day_id):
    return db.session.scalar(db.select(BreakfastOrder).where(
        BreakfastOrder.day_id == day_id, BreakfastOrder.child_id == child_id,
        BreakfastOrder.status.in_(rules_live_statuses())))


def allergy_conflicts(child, items):
    conflicts = []
    for item in items:
        conflict = rules.allergen_conflict(child.allergy_codes(), item.allergen_codes(), item.allergens_known)
        if conflict is not None:
            conflicts.append((item, allergen_names(conflict[1]) if conflict[0] == "contains" else []))
    return conflicts


def child_cards(store, parent_id, children, now):
    """One card per child for the next pickup day: the order (if any), the two times, the countdown
    to the order cutoff, the allergy check, the balance after the coming charges, and what may be done."""
    upcoming = pickup_days(store, now, count=LOOK_AHEAD_DAYS)
    balance_after = get_balance(parent_id) - unpaid_total(parent_id)
    cards = []
    for child in children:
        card = ChildCard(child=child, balance_after_cents=balance_after)
        for info in upcoming:
            order = child_order_on(child.id, info.day.id) if info.day is not None else None
            if order is not None or now < info.order_cutoff_at:
                card.info, card.order = info, order
                break
        if card.info is not None:
            info = card.info
            card.seconds_left = rules.seconds_left(now, info.order_cutoff_at)
            card.can_order = card.order is None and info.status == "open" and rules.may_order(
                now, info.opens_at, info.order_cutoff_at)
            if card.order is not None:
                card.allergy_conflicts = allergy_conflicts(child, [line.item for line in card.order.lines])
                card.can_skip = (card.order.status == OrderStatus.PLACED.value and info.status == "open"
                                 and rules.may_change(now, info.cancel_cutoff_at, info.order_cutoff_at))
        cards.append(card)
    return cards


@dataclass
class MenuRow:
    item: object
    day_item: object
    portions_left: int
    sold_out: bool
    allergen_names: list
    blocked: list = None     # allergen names the child must not eat, [] for unknown info, None when allowed


def open_day(store, date, now):
    """The day of ``date`` when it is open for ordering (made now if needed), else the existing day or
    None. ``NotSchoolDay`` for a date without breakfast. Call inside ``transaction()``."""
    day = find_day(store.id, date)
    if day is not None:
        return day
    info = day_info(store, date)
    if now >= info.order_cutoff_at or now < info.opens_at:
        school, _known = rules.is_school_day(date, store_overrides(store.id), get_settings(store.id).calendar)
        if not school:
            raise errors.NotSchoolDay()
        return None
    return ensure_day(store, date, now)


def menu_rows(day, child=None):
    """The day's items with portions left (SOLD OUT at once when none), and, for a child, why an item
    is blocked by their allergies."""
    rows = []
    day_items = db.session.scalars(db.select(DayItem).where(DayItem.day_id == day.id).order_by(DayItem.id)).all()
    for day_item in sorted(day_items, key=lambda di: (di.item.position, di.item.id)):
        item = day_item.item
        left = max(0, day_item.capacity - day_item.taken - day_item.held)
        blocked = None
        if child is not None:
            conflict = rules.allergen_conflict(child.allergy_codes(), item.allergen_codes(), item.allergens_known)
            if conflict is not None:
                blocked = allergen_names(conflict[1]) if conflict[0] == "contains" else []
        rows.append(MenuRow(item, day_item, left, left == 0, allergen_names(sorted(
            item.allergen_codes(), key=rules.ALLERGENS.index)), blocked))
    return rows


def qr_svg(code):
    """The pickup code as an inline SVG QR code (a full QR code, medium error correction)."""
    qr = segno.make(code, error="m", micro=False)
    return Markup(qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None,
                                dark="#000", light="#fff"))


def code_of(order):
    code = pickup_code(order)
    return code, (qr_svg(code) if code else None)
