"""Breakfast preorders: the store's settings and calendar, the menu, one breakfast day per date with
its portions per item, children, orders (by hand or from a subscription), the waitlist, prep sheets
and the pickup desk's record.

Times a person reads ("order by 21:00", "collect 06:30-08:30") are rules in the store's time zone
(``rules.py``); a day stores its own cutoffs and window as aware UTC instants, computed from the
settings when the day is created and changed only by staff (``operations.change_day_times``).
"""
from enum import StrEnum

from ..database import UTCDateTime, utcnow
from ..extensions import db


class DayStatus(StrEnum):
    OPEN = "open"          # orders may be placed until the order cutoff
    CLOSED = "closed"      # staff closed it (a holiday, a school trip): orders refunded
    FROZEN = "frozen"      # the cutoff passed: charged, prep sheet issued, pickup ahead
    DONE = "done"          # the pickup window ended: what was left is a no-show


class OrderStatus(StrEnum):
    PLACED = "placed"          # before the cutoff: holds its portions, not charged yet
    CANCELLED = "cancelled"    # by the parent (or a skipped subscription day) before the cancel cutoff
    REFUNDED = "refunded"      # the day was closed by staff: any charge went back to the wallet
    PAID = "paid"              # charged at the cutoff: the kitchen cooks it
    ON_CREDIT = "on_credit"    # the wallet was short, within the store's grace: cooked, owed
    NOT_COOKED = "not_cooked"  # the wallet was short past the grace: not cooked, the parent told why
    COLLECTED = "collected"    # handed over at the desk
    NO_SHOW = "no_show"        # not collected by the end of the pickup window


# Orders that hold portions of their day (and are cooked once the day is frozen).
HOLDING = (OrderStatus.PLACED.value, OrderStatus.PAID.value, OrderStatus.ON_CREDIT.value,
           OrderStatus.COLLECTED.value, OrderStatus.NO_SHOW.value)
# Orders the kitchen cooks and the desk hands over.
COOKED = (OrderStatus.PAID.value, OrderStatus.ON_CREDIT.value, OrderStatus.COLLECTED.value,
          OrderStatus.NO_SHOW.value)


class BreakfastSettings(db.Model):
    """One row per store: how far ahead ordering opens, the cutoffs, the pickup window, the grace."""

    __tablename__ = "breakfast_settings"

    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), primary_key=True)
    open_days_ahead = db.Column(db.Integer, nullable=False, default=3)
    # The order cutoff: ``order_cutoff_days_before`` days before the pickup date at this minute of the day.
    order_cutoff_days_before = db.Column(db.Integer, nullable=False, default=1)
    order_cutoff_min = db.Column(db.Integer, nullable=False, default=21 * 60)
    cancel_cutoff_days_before = db.Column(db.Integer, nullable=False, default=1)
    cancel_cutoff_min = db.Column(db.Integer, nullable=False, default=21 * 60)
    pickup_start_min = db.Column(db.Integer, nullable=False, default=6 * 60 + 30)
    pickup_end_min = db.Column(db.Integer, nullable=False, default=8 * 60 + 30)
    # Breakfasts a short wallet may still have cooked (on credit) before a day is not cooked.
    grace_breakfasts = db.Column(db.Integer, nullable=False, default=2)
    # How long a parent offered a freed portion from the waitlist has to claim it.
    claim_window_min = db.Column(db.Integer, nullable=False, default=60)
    # When parents are warned that their balance will not cover the coming charge.
    low_balance_warning_h = db.Column(db.Integer, nullable=False, default=3)
    # The school calendar: "cn" (China's official calendar with 调休) or "weekdays" (Monday to Friday).
    calendar = db.Column(db.String(10), nullable=False, default="cn")

    __table_args__ = (
        db.CheckConstraint(
            "open_days_ahead BETWEEN 1 AND 30 AND order_cutoff_days_before BETWEEN 0 AND 7"
            " AND cancel_cutoff_days_before BETWEEN 0 AND 7"
            " AND order_cutoff_min BETWEEN 0 AND 1439 AND cancel_cutoff_min BETWEEN 0 AND 1439"
            " AND pickup_start_min BETWEEN 0 AND 1439 AND pickup_end_min BETWEEN 1 AND 1440"
            " AND pickup_start_min < pickup_end_min AND grace_breakfasts BETWEEN 0 AND 10"
            " AND claim_window_min BETWEEN 5 AND 720 AND low_balance_warning_h BETWEEN 1 AND 48",
            name="ranges"),
        db.CheckConstraint("calendar IN ('cn', 'weekdays')", name="calendar_known"),
    )


class CalendarOverride(db.Model):
    """A store's own closure or opening, over the national calendar: one date (``starts_on`` =
    ``ends_on``), a range, or a repeating rule (an RFC 5545 RRULE, e.g. ``FREQ=WEEKLY;BYDAY=WE``)
    applied within the range."""

    __tablename__ = "breakfast_calendar_overrides"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    kind = db.Column(db.String(8), nullable=False)  # "closed" or "open"
    starts_on = db.Column(db.Date, nullable=False)
    ends_on = db.Column(db.Date, nullable=False)
    rrule = db.Column(db.String(200), nullable=False, default="", server_default="")
    note = db.Column(db.String(200), nullable=False, default="", server_default="")
    created_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("kind IN ('closed', 'open')", name="kind_known"),
        db.CheckConstraint("starts_on <= ends_on", name="range_ordered"),
    )


class BreakfastItem(db.Model):
    """One dish or drink on the breakfast menu."""

    __tablename__ = "breakfast_items"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    name_zh = db.Column(db.String(80), nullable=False, default="", server_default="")
    name_en = db.Column(db.String(80), nullable=False, default="", server_default="")
    price_cents = db.Column(db.Integer, nullable=False)
    # A picture: a static path under static/ (the demo's OpenMoji) or an uploaded photo's path.
    picture = db.Column(db.String(200), nullable=False, default="", server_default="")
    ingredients_zh = db.Column(db.String(500), nullable=False, default="", server_default="")
    ingredients_en = db.Column(db.String(500), nullable=False, default="", server_default="")
    # Allergen codes of rules.ALLERGENS, comma separated; ``allergens_known`` False shows
    # "allergen information incomplete" and the item is refused for any child with an allergy.
    allergens = db.Column(db.String(200), nullable=False, default="", server_default="")
    allergens_known = db.Column(db.Boolean, nullable=False, default=False)
    # Weekdays offered, a bit per day (Monday = 1, Tuesday = 2, ... Sunday = 64).
    weekdays = db.Column(db.Integer, nullable=False, default=127)
    daily_capacity = db.Column(db.Integer, nullable=False, default=50)
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("price_cents >= 0 AND price_cents <= 100000", name="price_range"),
        db.CheckConstraint("daily_capacity BETWEEN 0 AND 10000", name="capacity_range"),
        db.CheckConstraint("weekdays BETWEEN 0 AND 127", name="weekdays_bits"),
        db.CheckConstraint("name_zh <> '' OR name_en <> ''", name="named"),
    )

    def allergen_codes(self):
        return frozenset(code for code in self.allergens.split(",") if code)


class BreakfastDay(db.Model):
    """The store's breakfast on one date (the pickup date)."""

    __tablename__ = "breakfast_days"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    date = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(10), nullable=False, default=DayStatus.OPEN.value)
    opens_at = db.Column(UTCDateTime, nullable=False)
    order_cutoff_at = db.Column(UTCDateTime, nullable=False)
    cancel_cutoff_at = db.Column(UTCDateTime, nullable=False)
    pickup_start_at = db.Column(UTCDateTime, nullable=False)
    pickup_end_at = db.Column(UTCDateTime, nullable=False)
    closed_reason = db.Column(db.String(200), nullable=False, default="", server_default="")
    closed_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)
    frozen_at = db.Column(UTCDateTime, nullable=True)
    done_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    items = db.relationship("DayItem", back_populates="day", order_by="DayItem.id")

    __table_args__ = (
        db.UniqueConstraint("store_id", "date"),
        db.CheckConstraint("status IN ('open', 'closed', 'frozen', 'done')", name="status_known"),
        db.CheckConstraint("pickup_start_at < pickup_end_at", name="window_ordered"),
    )


class DayItem(db.Model):
    """An item's portions on one day: ``taken`` by orders, ``held`` for waitlist offers. A portion is
    taken with a conditional UPDATE (``taken + held + n <= capacity``), never read then written."""

    __tablename__ = "breakfast_day_items"

    id = db.Column(db.Integer, primary_key=True)
    day_id = db.Column(db.Integer, db.ForeignKey("breakfast_days.id"), nullable=False)
    item_id = db.Column(db.Integer, db.ForeignKey("breakfast_items.id"), nullable=False)
    capacity = db.Column(db.Integer, nullable=False)
    taken = db.Column(db.Integer, nullable=False, default=0)
    held = db.Column(db.Integer, nullable=False, default=0)

    day = db.relationship("BreakfastDay", back_populates="items")
    item = db.relationship("BreakfastItem")

    __table_args__ = (
        db.UniqueConstraint("day_id", "item_id"),
        db.CheckConstraint("taken >= 0 AND held >= 0 AND taken + held <= capacity", name="within_capacity"),
    )


class Child(db.Model):
    """A child a parent orders breakfast for."""

    __tablename__ = "breakfast_children"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    parent_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    name = db.Column(db.String(40), nullable=False)
    class_name = db.Column(db.String(40), nullable=False, default="", server_default="")
    school = db.Column(db.String(80), nullable=False, default="", server_default="")
    # Allergen codes (rules.ALLERGENS), comma separated.
    allergies = db.Column(db.String(200), nullable=False, default="", server_default="")
    # The private calendar feed's secret (``/breakfast/feed/<token>.ics``).
    feed_token = db.Column(db.String(43), nullable=False, unique=True)
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    def allergy_codes(self):
        return frozenset(code for code in self.allergies.split(",") if code)


class ParentPrefs(db.Model):
    """A parent's breakfast preferences: the school-morning reminder."""

    __tablename__ = "breakfast_parent_prefs"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), primary_key=True)
    morning_reminder = db.Column(db.Boolean, nullable=False, default=False)


class Subscription(db.Model):
    """A child's school-day breakfasts from ``starts_on`` to ``ends_on``: the items of each weekday
    (``SubscriptionItem``). Its days become orders when the day is created (``operations.ensure_day``)
    or, for days already open, when the subscription is made."""

    __tablename__ = "breakfast_subscriptions"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    child_id = db.Column(db.Integer, db.ForeignKey("breakfast_children.id"), nullable=False, index=True)
    parent_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    starts_on = db.Column(db.Date, nullable=False)
    ends_on = db.Column(db.Date, nullable=False)
    paused_until = db.Column(db.Date, nullable=True)  # no days up to and including this date
    status = db.Column(db.String(10), nullable=False, default="active")
    idempotency_key = db.Column(db.String(64), nullable=True, unique=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    cancelled_at = db.Column(UTCDateTime, nullable=True)

    items = db.relationship("SubscriptionItem", cascade="all, delete-orphan", order_by="SubscriptionItem.id")

    __table_args__ = (
        db.CheckConstraint("starts_on <= ends_on", name="range_ordered"),
        db.CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
    )


class SubscriptionItem(db.Model):
    """``quantity`` of an item on a weekday (0 = Monday ... 6 = Sunday) of a subscription."""

    __tablename__ = "breakfast_subscription_items"

    id = db.Column(db.Integer, primary_key=True)
    subscription_id = db.Column(db.Integer, db.ForeignKey("breakfast_subscriptions.id"), nullable=False)
    weekday = db.Column(db.Integer, nullable=False)
    item_id = db.Column(db.Integer, db.ForeignKey("breakfast_items.id"), nullable=False)
    quantity = db.Column(db.Integer, nullable=False, default=1)

    item = db.relationship("BreakfastItem")

    __table_args__ = (
        db.UniqueConstraint("subscription_id", "weekday", "item_id"),
        db.CheckConstraint("weekday BETWEEN 0 AND 6 AND quantity BETWEEN 1 AND 5", name="shape"),
    )


class BreakfastOrder(db.Model):
    """One child's breakfast on one day. At most one live order per child and day (a partial unique
    index over the holding statuses). The pickup code is per child and day: a nonce from ``secrets``
    from which the six digits are derived with the app's key; only their keyed hash is stored."""

    __tablename__ = "breakfast_orders"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    day_id = db.Column(db.Integer, db.ForeignKey("breakfast_days.id"), nullable=False, index=True)
    child_id = db.Column(db.Integer, db.ForeignKey("breakfast_children.id"), nullable=False, index=True)
    parent_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    subscription_id = db.Column(db.Integer, db.ForeignKey("breakfast_subscriptions.id"), nullable=True)
    status = db.Column(db.String(12), nullable=False, default=OrderStatus.PLACED.value)
    total_cents = db.Column(db.Integer, nullable=False, default=0)
    charged_cents = db.Column(db.Integer, nullable=False, default=0)  # taken from the wallet so far
    owed_cents = db.Column(db.Integer, nullable=False, default=0)     # cooked on credit, not yet paid
    # What the parent's coupon took off the items (``total_cents`` is after it: what is charged).
    discount_cents = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    # Why the charge did not go through, for the parent's message ("not_cooked"/"on_credit").
    charge_note = db.Column(db.String(40), nullable=False, default="", server_default="")
    idempotency_key = db.Column(db.String(64), nullable=True, unique=True)
    code_nonce = db.Column(db.String(32), nullable=True)
    code_hash = db.Column(db.String(64), nullable=True)
    code_misses = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    changed_at = db.Column(UTCDateTime, nullable=True)
    cancelled_at = db.Column(UTCDateTime, nullable=True)
    charged_at = db.Column(UTCDateTime, nullable=True)
    collected_at = db.Column(UTCDateTime, nullable=True)
    handed_over_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    lines = db.relationship("BreakfastOrderLine", cascade="all, delete-orphan", order_by="BreakfastOrderLine.id",
                            back_populates="order")
    day = db.relationship("BreakfastDay")
    child = db.relationship("Child")

    __table_args__ = (
        db.Index("uq_breakfast_orders_live_child_day", "day_id", "child_id", unique=True,
                 postgresql_where=db.text("status NOT IN ('cancelled', 'refunded')"),
                 sqlite_where=db.text("status NOT IN ('cancelled', 'refunded')")),
        db.UniqueConstraint("store_id", "code_hash"),
        db.CheckConstraint(
            "status IN ('placed', 'cancelled', 'refunded', 'paid', 'on_credit', 'not_cooked', 'collected',"
            " 'no_show')", name="status_known"),
        db.CheckConstraint("total_cents >= 0 AND charged_cents >= 0 AND owed_cents >= 0", name="money_positive"),
    )


class BreakfastOrderLine(db.Model):
    __tablename__ = "breakfast_order_lines"

    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("breakfast_orders.id"), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("breakfast_items.id"), nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    price_cents = db.Column(db.Integer, nullable=False)

    order = db.relationship("BreakfastOrder", back_populates="lines")
    item = db.relationship("BreakfastItem")

    __table_args__ = (
        db.UniqueConstraint("order_id", "item_id"),
        db.CheckConstraint("quantity BETWEEN 1 AND 5 AND price_cents >= 0", name="shape"),
    )


class WaitlistEntry(db.Model):
    """A parent waiting for a sold-out item on a day for a child. A freed portion is *held* for the
    first one waiting (``offered``) until ``offer_expires_at`` (before the order cutoff); claimed, it
    becomes an order; expired, it passes to the next."""

    __tablename__ = "breakfast_waitlist"

    id = db.Column(db.Integer, primary_key=True)
    day_item_id = db.Column(db.Integer, db.ForeignKey("breakfast_day_items.id"), nullable=False, index=True)
    child_id = db.Column(db.Integer, db.ForeignKey("breakfast_children.id"), nullable=False)
    parent_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="waiting")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    offered_at = db.Column(UTCDateTime, nullable=True)
    offer_expires_at = db.Column(UTCDateTime, nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)

    day_item = db.relationship("DayItem")
    child = db.relationship("Child")

    __table_args__ = (
        db.Index("uq_breakfast_waitlist_live", "day_item_id", "child_id", unique=True,
                 postgresql_where=db.text("status IN ('waiting', 'offered')"),
                 sqlite_where=db.text("status IN ('waiting', 'offered')")),
        db.CheckConstraint("status IN ('waiting', 'offered', 'claimed', 'expired', 'withdrawn')",
                           name="status_known"),
    )


class PrepSheet(db.Model):
    """The kitchen's sheet of one day, one row per version: version 1 at the freeze, a new version
    for every staff change after it. ``content`` holds the totals per item and the labels, ``changes``
    what differs from the previous version."""

    __tablename__ = "breakfast_prep_sheets"

    id = db.Column(db.Integer, primary_key=True)
    day_id = db.Column(db.Integer, db.ForeignKey("breakfast_days.id"), nullable=False)
    version = db.Column(db.Integer, nullable=False)
    content = db.Column(db.JSON, nullable=False)
    changes = db.Column(db.JSON, nullable=False, default=list)
    reason = db.Column(db.String(200), nullable=False, default="", server_default="")
    created_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = db.Column(UTCDateTime, nullable=True)  # when the kitchen was notified
    sent_to = db.Column(db.Integer, nullable=False, default=0)  # how many kitchen staff were notified

    __table_args__ = (db.UniqueConstraint("day_id", "version"),)
