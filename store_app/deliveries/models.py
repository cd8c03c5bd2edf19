"""Delivery tasks (one per order, later per partner pickup and parcel) and courier shifts. A task
knows where to collect and where to hand over, by when; what it carries is its owner's business
(``order_id`` for an order's delivery)."""
from enum import StrEnum

from ..database import UTCDateTime, utcnow
from ..extensions import db


class TaskStatus(StrEnum):
    """Where a delivery task is."""

    OPEN = "open"            # waiting for a courier
    ASSIGNED = "assigned"    # a courier has it on their route
    PICKED_UP = "picked_up"  # collected; never moved to another courier after this
    DELIVERED = "delivered"  # handed over
    FAILED = "failed"        # nobody there, refused…
    CANCELLED = "cancelled"  # the order was cancelled


class DeliveryTask(db.Model):
    """Carry something from a pickup point to a door before ``promised_at``."""

    __tablename__ = "delivery_tasks"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False, default="order")
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id", ondelete="CASCADE"), nullable=True, unique=True)
    status = db.Column(db.String(16), nullable=False, default=TaskStatus.OPEN.value, index=True)
    courier_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, index=True)
    pickup_lat = db.Column(db.Float, nullable=False)
    pickup_lon = db.Column(db.Float, nullable=False)
    dropoff_lat = db.Column(db.Float, nullable=False)
    dropoff_lon = db.Column(db.Float, nullable=False)
    size = db.Column(db.Integer, nullable=False, default=1)
    ready_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    promised_at = db.Column(UTCDateTime, nullable=False)
    # Booked for a later slot: out of the couriers' queue until then.
    scheduled_for = db.Column(UTCDateTime, nullable=True)
    # Packed and waiting at the pickup point: from now on the dispatcher may plan it.
    packed_at = db.Column(UTCDateTime, nullable=True)
    assigned_by = db.Column(db.String(10), nullable=True)  # "staff" or "planner"
    # The dispatcher's latest estimate of the hand-over (every cycle), for the board and late notices.
    predicted_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    assigned_at = db.Column(UTCDateTime, nullable=True)
    picked_up_at = db.Column(UTCDateTime, nullable=True)
    finished_at = db.Column(UTCDateTime, nullable=True)

    courier = db.relationship("User")


class CourierShift(db.Model):
    """A courier's working period; the last known position is kept while on shift."""

    __tablename__ = "courier_shifts"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    courier_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    started_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    planned_end_at = db.Column(UTCDateTime, nullable=False)
    ended_at = db.Column(UTCDateTime, nullable=True)
    lat = db.Column(db.Float, nullable=True)
    lon = db.Column(db.Float, nullable=True)
    position_at = db.Column(UTCDateTime, nullable=True)
    capacity = db.Column(db.Integer, nullable=False, default=3)

    courier = db.relationship("User")

    __table_args__ = (
        # One open shift per courier at a time.
        db.Index("uq_courier_shifts_one_open", "courier_id", unique=True,
                 sqlite_where=db.text("ended_at IS NULL"), postgresql_where=db.text("ended_at IS NULL")),
    )


class TaskCall(db.Model):
    """A courier's call to the person at a task's door, placed through the store's page so that the
    number never shows on the courier's screen: who called, for which task, when."""

    __tablename__ = "task_calls"

    id = db.Column(db.Integer, primary_key=True)
    task_id = db.Column(db.Integer, db.ForeignKey("delivery_tasks.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    courier_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    called_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
