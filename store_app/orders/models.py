"""Cart lines, orders, their items and their timeline, and voice orders."""
from ..database import UTCDateTime, utcnow
from ..extensions import db
from ..web.i18n import localized
from .statuses import Fulfilment, OrderStatus, PaymentMethod  # noqa: F401  (re-exported)


class CartItem(db.Model):
    """One product in a resident's cart; the cart survives logout."""

    __tablename__ = "cart_items"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    # The price the resident saw when adding: a change is pointed out before payment.
    seen_price_cents = db.Column(db.Integer, nullable=False)
    # Set when staff built this line from a voice order.
    voice_order_id = db.Column(db.Integer, db.ForeignKey("voice_orders.id", ondelete="SET NULL"), nullable=True)
    added_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    product = db.relationship("Product")

    __table_args__ = (
        db.UniqueConstraint("user_id", "product_id"),
        db.CheckConstraint("quantity > 0 AND quantity <= 99", name="quantity_valid"),
    )


class Order(db.Model):
    """An order, delivered or collected at the store. Money in cents; the address is copied so later
    edits don't move it (a pickup order carries the store's address and point)."""

    __tablename__ = "orders"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    status = db.Column(db.String(16), nullable=False, default=OrderStatus.PLACED.value, index=True)
    idempotency_key = db.Column(db.String(64), nullable=False)
    building_id = db.Column(db.Integer, db.ForeignKey("buildings.id"), nullable=True)
    address_text = db.Column(db.String(255), nullable=False)
    lat = db.Column(db.Float, nullable=False)
    lon = db.Column(db.Float, nullable=False)
    zone_name = db.Column(db.String(80), nullable=False)
    subtotal_cents = db.Column(db.Integer, nullable=False)
    delivery_fee_cents = db.Column(db.Integer, nullable=False, default=0)
    # Parcels from the parcel station brought along: the door fee and their storage fees.
    parcel_fee_cents = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    discount_cents = db.Column(db.Integer, nullable=False, default=0)
    total_cents = db.Column(db.Integer, nullable=False)
    refunded_cents = db.Column(db.Integer, nullable=False, default=0)
    payment_method = db.Column(db.String(10), nullable=False)
    delivery_code = db.Column(db.String(4), nullable=False)
    delivery_code_misses = db.Column(db.Integer, nullable=False, default=0)
    eta_minutes = db.Column(db.Integer, nullable=False)
    promised_at = db.Column(UTCDateTime, nullable=False)
    scheduled_for = db.Column(UTCDateTime, nullable=True)  # a later slot instead of "now"
    note = db.Column(db.String(200), nullable=False, default="")
    courier_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, index=True)
    placed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    accepted_at = db.Column(UTCDateTime, nullable=True)
    picking_at = db.Column(UTCDateTime, nullable=True)
    ready_at = db.Column(UTCDateTime, nullable=True)
    assigned_at = db.Column(UTCDateTime, nullable=True)
    picked_up_at = db.Column(UTCDateTime, nullable=True)
    delivered_at = db.Column(UTCDateTime, nullable=True)
    cancelled_at = db.Column(UTCDateTime, nullable=True)
    failed_at = db.Column(UTCDateTime, nullable=True)
    # Set when the dispatcher first predicts the promise will be broken (and the resident is told).
    late_eta_at = db.Column(UTCDateTime, nullable=True)
    late_notified_at = db.Column(UTCDateTime, nullable=True)
    # The courier's photo at the door when nobody answered (catalogue.images, folder "deliveries").
    failure_photo = db.Column(db.String(64), nullable=True)
    # Delivered by a courier, or collected by the resident at the store's counter (no courier task).
    fulfilment = db.Column(db.String(10), nullable=False, default=Fulfilment.DELIVERY.value,
                           server_default=Fulfilment.DELIVERY.value)
    # A pickup order's code: derived from the nonce with the app's key (never stored); its keyed hash
    # finds the order at the counter and is cleared once the order is finished, so it can't be reused.
    pickup_code_nonce = db.Column(db.String(32), nullable=True)
    pickup_code_hash = db.Column(db.String(64), nullable=True)
    collected_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])
    courier = db.relationship("User", foreign_keys=[courier_id])
    items = db.relationship("OrderItem", back_populates="order", cascade="all, delete-orphan",
                            order_by="OrderItem.id")
    events = db.relationship("OrderEvent", back_populates="order", cascade="all, delete-orphan",
                             order_by="(OrderEvent.at, OrderEvent.id)")
    building = db.relationship("Building")

    @property
    def address_label(self):
        """Where it goes, in the page's language: the building's name as it is now (``address_text``
        kept it in the resident's language at checkout) and the unit as typed."""
        if self.building is None:
            return self.address_text
        _name, comma, unit = self.address_text.rpartition(", ")
        return f"{self.building.name}, {unit}" if comma else self.building.name

    __table_args__ = (
        # A double tap or a replayed request finds the first order instead of making a second.
        db.UniqueConstraint("user_id", "idempotency_key"),
        db.CheckConstraint("total_cents >= 0 AND subtotal_cents >= 0 AND refunded_cents >= 0"
                           " AND discount_cents >= 0 AND delivery_fee_cents >= 0", name="money_valid"),
        db.CheckConstraint("payment_method IN ('cash', 'card', 'wallet')", name="payment_valid"),
        db.CheckConstraint("fulfilment IN ('delivery', 'pickup')", name="fulfilment_valid"),
        # One waiting pickup order per code and store (finished orders clear their hash).
        db.UniqueConstraint("store_id", "pickup_code_hash"),
    )

    @property
    def is_pickup(self):
        return self.fulfilment == Fulfilment.PICKUP.value


class OrderItem(db.Model):
    """A line of an order: a copy of the product's name and price at the time, and who prepares it."""

    __tablename__ = "order_items"

    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False, index=True)
    merchant_id = db.Column(db.Integer, db.ForeignKey("merchants.id"), nullable=False, index=True)
    name_zh = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120), nullable=False)
    unit_price_cents = db.Column(db.Integer, nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    unavailable = db.Column(db.Boolean, nullable=False, default=False)
    prepared_at = db.Column(UTCDateTime, nullable=True)  # a partner merchant marked it ready

    order = db.relationship("Order", back_populates="items")
    merchant = db.relationship("Merchant")

    @property
    def line_cents(self):
        return self.unit_price_cents * self.quantity

    def name(self, lang):
        """The name in ``lang``, else in the other language (``localized``)."""
        return localized(self, "name", lang)


class OrderEvent(db.Model):
    """One step of an order's timeline: a status change or a notable event."""

    __tablename__ = "order_events"

    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    status = db.Column(db.String(16), nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    order = db.relationship("Order", back_populates="events")


class VoiceOrder(db.Model):
    """A resident's voice note or free-text list; staff turn it into a cart the resident confirms."""

    __tablename__ = "voice_orders"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    text = db.Column(db.String(1000), nullable=False, default="")
    audio_filename = db.Column(db.String(80), nullable=True)
    audio_mime = db.Column(db.String(40), nullable=True)
    status = db.Column(db.String(16), nullable=False, default="new")  # new -> cart_ready -> closed
    handled_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    handled_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])
