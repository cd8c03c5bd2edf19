"""A parent's children (name, class, school, allergies), each with a private calendar feed token, and
the parent's breakfast preferences."""
import re
import secrets

from ..extensions import db
from . import errors, rules
from .models import BreakfastDay, BreakfastOrder, Child, OrderStatus, ParentPrefs, Subscription
from .ordering import cancel_order, get_child

FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) makes; anything else opens nothing


def new_feed_token():
    """A calendar feed's secret: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def list_children(parent_id):
    """The parent's active children, oldest profile first."""
    return db.session.scalars(db.select(Child).where(Child.parent_id == parent_id, Child.is_active.is_(True))
                              .order_by(Child.id)).all()


def add_child(parent, *, name, class_name="", school="", allergies=(), now):
    """A new child on the parent's account; ``allergies`` are codes of ``rules.ALLERGENS``."""
    child = Child(store_id=parent.store_id, parent_id=parent.id, name=name.strip(), class_name=class_name.strip(),
                  school=school.strip(), allergies=",".join(rules.parse_allergens(list(allergies))),
                  feed_token=new_feed_token(), created_at=now)
    db.session.add(child)
    db.session.flush()
    return child


def update_child(parent_id, child_id, *, name, class_name="", school="", allergies=()):
    """Change a child's profile; a foreign or removed child is ``ChildNotFound``."""
    child = get_child(parent_id, child_id)
    child.name, child.class_name, child.school = name.strip(), class_name.strip(), school.strip()
    child.allergies = ",".join(rules.parse_allergens(list(allergies)))
    db.session.flush()
    return child


def rotate_feed_token(parent_id, child_id):
    """A new calendar feed link for the child: the old one stops working at once."""
    child = get_child(parent_id, child_id)
    child.feed_token = new_feed_token()
    db.session.flush()
    return child


def remove_child(parent_id, child_id, now):
    """Take a child off the account: its subscriptions end and its breakfasts that can still be
    cancelled are; those past their cancel cutoff stay (the kitchen cooks them). Returns how many
    breakfasts were kept."""
    child = get_child(parent_id, child_id)
    kept = 0
    live = db.session.scalars(db.select(BreakfastOrder).join(BreakfastDay, BreakfastDay.id == BreakfastOrder.day_id)
                              .where(BreakfastOrder.child_id == child.id,
                                     BreakfastOrder.status == OrderStatus.PLACED.value)).all()
    for order in live:
        try:
            with db.session.begin_nested():
                cancel_order(parent_id, order.id, now)
        except errors.BreakfastError:
            kept += 1
    db.session.execute(db.update(Subscription).where(Subscription.child_id == child.id,
                                                     Subscription.status == "active")
                       .values(status="cancelled", cancelled_at=now).execution_options(synchronize_session=False))
    child.is_active = False
    db.session.flush()
    return kept


def child_by_feed_token(token):
    """The active child whose calendar feed this token opens, or None."""
    if not isinstance(token, str) or not FEED_TOKEN.fullmatch(token):
        return None
    child = db.session.scalar(db.select(Child).where(Child.feed_token == token))
    return child if child is not None and child.is_active else None


def get_prefs(user_id):
    """The parent's preferences (defaults when never saved; not stored by reading)."""
    return db.session.get(ParentPrefs, user_id) or ParentPrefs(user_id=user_id, morning_reminder=False)


def set_morning_reminder(user_id, wanted):
    """Opt in or out of the school-morning reminder."""
    prefs = db.session.get(ParentPrefs, user_id)
    if prefs is None:
        prefs = ParentPrefs(user_id=user_id)
        db.session.add(prefs)
    prefs.morning_reminder = bool(wanted)
    db.session.flush()
    return prefs
