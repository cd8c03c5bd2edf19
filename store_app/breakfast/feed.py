"""A child's private calendar feed (ICS): one event per breakfast day with a live order."""
from datetime import timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..extensions import db
from ..web.i18n import current_language, localized
from .models import BreakfastDay, BreakfastOrder
from .ordering import rules_live_statuses

PAST_DAYS = 30


def child_calendar(child, store, now):
    """The ICS text of the child's breakfasts from ``PAST_DAYS`` ago on: the pickup window, the items,
    the store's address."""
    calendar = Calendar()
    calendar.add("prodid", "-//community-store//breakfast//")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Breakfast: %(name)s", name=child.name))
    orders = db.session.scalars(
        db.select(BreakfastOrder).join(BreakfastDay, BreakfastDay.id == BreakfastOrder.day_id)
        .where(BreakfastOrder.child_id == child.id, BreakfastOrder.status.in_(rules_live_statuses()),
               BreakfastOrder.status != "not_cooked", BreakfastDay.pickup_end_at > now - timedelta(days=PAST_DAYS))
        .order_by(BreakfastDay.date)).all()
    location = (store.address_en if current_language() == "en" else "") or store.address
    for order in orders:
        event = Event()
        event.add("uid", f"breakfast-{order.id}@{store.id}.community-store")
        event.add("summary", _("Breakfast for %(name)s", name=child.name))
        event.add("dtstart", order.day.pickup_start_at)
        event.add("dtend", order.day.pickup_end_at)
        event.add("dtstamp", order.changed_at or order.created_at)
        event.add("description", "\n".join(f"{localized(line.item)} × {line.quantity}" for line in order.lines))
        if location:
            event.add("location", location)
        calendar.add_component(event)
    return calendar.to_ical()
