"""A store and its opening hours."""
from ..database import UTCDateTime, utcnow
from ..extensions import db


class Store(db.Model):
    """One shop. Every business row carries ``store_id``, so a chain shares one database."""

    __tablename__ = "stores"

    id = db.Column(db.Integer, primary_key=True)
    # The store's name; ``name_en`` optionally for English pages (``localized(store)``).
    name = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120), nullable=False, default="", server_default="")
    name_zh = db.synonym("name")
    # The address as written in Chinese; ``address_en`` optionally for English pages.
    address = db.Column(db.String(255), nullable=False, default="")
    address_en = db.Column(db.String(255), nullable=False, default="", server_default="")
    address_zh = db.synonym("address")
    lat = db.Column(db.Float, nullable=False)
    lon = db.Column(db.Float, nullable=False)
    timezone = db.Column(db.String(64), nullable=False, default="Asia/Shanghai")
    phone = db.Column(db.String(32), nullable=False, default="")
    promise_minutes = db.Column(db.Integer, nullable=False, default=30)
    # The delivery quote's parameters: picking time grows with the number of items; travel is
    # the straight-line distance times a detour factor at the couriers' speed.
    pick_base_min = db.Column(db.Integer, nullable=False, default=3, server_default="3")
    pick_per_item_s = db.Column(db.Integer, nullable=False, default=15, server_default="15")
    courier_speed_m_per_min = db.Column(db.Integer, nullable=False, default=250, server_default="250")
    detour_factor = db.Column(db.Float, nullable=False, default=1.35, server_default="1.35")
    # How often the dispatcher plans this store's deliveries.
    dispatch_interval_s = db.Column(db.Integer, nullable=False, default=30, server_default="30")
    courier_handover_min = db.Column(db.Integer, nullable=False, default=3, server_default="3")
    # The parcel station: free days then a fee per day, the reminder ladder, door delivery.
    parcel_free_days = db.Column(db.Integer, nullable=False, default=3, server_default="3")
    parcel_fee_per_day_cents = db.Column(db.Integer, nullable=False, default=100, server_default="100")
    parcel_first_reminder_h = db.Column(db.Integer, nullable=False, default=24, server_default="24")
    parcel_second_reminder_h = db.Column(db.Integer, nullable=False, default=72, server_default="72")
    parcel_return_days = db.Column(db.Integer, nullable=False, default=7, server_default="7")
    parcel_door_fee_cents = db.Column(db.Integer, nullable=False, default=300, server_default="300")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    hours = db.relationship(
        "StoreHours", back_populates="store", cascade="all, delete-orphan",
        order_by="(StoreHours.weekday, StoreHours.opens_min)",
    )

    __table_args__ = (
        db.CheckConstraint("promise_minutes > 0", name="promise_positive"),
        db.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="location_valid"),
    )

    def intervals(self):
        """Opening intervals as plain ``(weekday, opens_min, closes_min)`` tuples for the rules."""
        return [(h.weekday, h.opens_min, h.closes_min) for h in self.hours]

    def __repr__(self):
        return f"<Store {self.id} {self.name!r}>"


class StoreHours(db.Model):
    """One opening interval on one weekday (0 = Monday), in minutes after local midnight.

    ``closes_min`` at or before ``opens_min`` means the interval runs past midnight.
    """

    __tablename__ = "store_hours"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    weekday = db.Column(db.Integer, nullable=False)
    opens_min = db.Column(db.Integer, nullable=False)
    closes_min = db.Column(db.Integer, nullable=False)

    store = db.relationship("Store", back_populates="hours")

    __table_args__ = (
        db.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        db.CheckConstraint("opens_min BETWEEN 0 AND 1439 AND closes_min BETWEEN 1 AND 1440", name="minutes_valid"),
        db.UniqueConstraint("store_id", "weekday", "opens_min"),
    )
