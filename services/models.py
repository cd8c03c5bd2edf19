"""The marketplace's vendors and what they offer: categories with their terms, vendors and their
vetting, documents, crews (each crew member a vendor login), offerings with photos, and weekly
availability with its exceptions.

Bookings, offers, money, complaints, reviews and standing are in ``booking_models.py``.
"""
from enum import StrEnum

from store_app.database import UTCDateTime, utcnow
from store_app.extensions import db


class VendorKind(StrEnum):
    COMPANY = "company"        # a business: checked by its 统一社会信用代码 (python-stdnum cn.uscc)
    INDIVIDUAL = "individual"  # a person: checked by their resident ID number (cn.ric), shown masked


class VettingStatus(StrEnum):
    APPLIED = "applied"        # waiting for staff
    MORE_INFO = "more_info"    # staff asked for more: the vendor sees what is missing and resubmits
    APPROVED = "approved"      # vetted: may publish offerings and take jobs
    REJECTED = "rejected"      # refused, with the reason shown to the vendor


class Standing(StrEnum):
    GOOD = "good"              # no threshold crossed
    PROBATION = "probation"    # a threshold crossed: warned, with the reason and what restores them
    SUSPENDED = "suspended"    # stayed below the thresholds through probation: takes no new jobs


class PriceModel(StrEnum):
    FIXED = "fixed"            # the price is the price
    HOURLY = "hourly"          # price per hour, times the booked duration
    FROM = "from"              # a starting price; the vendor quotes on site (extras need approval)


class DocumentKind(StrEnum):
    LICENCE = "licence"        # business licence (营业执照)
    IDENTITY = "identity"      # the person's ID card
    INSURANCE = "insurance"    # liability insurance


class ServiceCategory(db.Model):
    """A kind of service with its commission, cancellation tiers and guarantee terms (staff edit them)."""

    __tablename__ = "service_categories"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    slug = db.Column(db.String(40), nullable=False)
    name_zh = db.Column(db.String(60), nullable=False)
    name_en = db.Column(db.String(60), nullable=False)
    commission_bps = db.Column(db.Integer, nullable=False, default=1500)  # 15.00 %
    # Cancellation tiers: free more than ``free_cancel_h`` hours before; ``late_cancel_pct`` % within;
    # ``no_show_pct`` % when the resident is not there at the door.
    free_cancel_h = db.Column(db.Integer, nullable=False, default=24)
    late_cancel_pct = db.Column(db.Integer, nullable=False, default=50)
    no_show_pct = db.Column(db.Integer, nullable=False, default=100)
    # Minimum notices (minutes) for a resident to book, cancel and reschedule; staff are exempt.
    book_notice_min = db.Column(db.Integer, nullable=False, default=120)
    cancel_notice_min = db.Column(db.Integer, nullable=False, default=0)
    reschedule_notice_min = db.Column(db.Integer, nullable=False, default=240)
    # The store's guarantee: the window after completion, and what a redo and a damage claim cover.
    guarantee_days = db.Column(db.Integer, nullable=False, default=7)
    damage_cap_cents = db.Column(db.Integer, nullable=False, default=200_000)
    terms_zh = db.Column(db.Text, nullable=False, default="")
    terms_en = db.Column(db.Text, nullable=False, default="")
    # Lockouts: bookable only for an address verified on the resident's account; ID check at the door.
    needs_verified_address = db.Column(db.Boolean, nullable=False, default=False)
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    sort_order = db.Column(db.Integer, nullable=False, default=0)

    __table_args__ = (
        db.UniqueConstraint("store_id", "slug", name="uq_service_categories_slug"),
        db.CheckConstraint("commission_bps BETWEEN 0 AND 10000", name="commission_range"),
        db.CheckConstraint("late_cancel_pct BETWEEN 0 AND 100 AND no_show_pct BETWEEN 0 AND 100",
                           name="fee_pct_range"),
    )


vendor_categories = db.Table(
    "vendor_categories",
    db.Column("vendor_id", db.Integer, db.ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True),
    db.Column("category_id", db.Integer, db.ForeignKey("service_categories.id", ondelete="CASCADE"),
              primary_key=True),
)

vendor_zones = db.Table(
    "vendor_zones",
    db.Column("vendor_id", db.Integer, db.ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True),
    db.Column("zone_id", db.Integer, db.ForeignKey("delivery_zones.id", ondelete="CASCADE"), primary_key=True),
)


class Vendor(db.Model):
    """A cleaning company, a locksmith, a drain specialist: vetted by staff before it takes any job."""

    __tablename__ = "vendors"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    # The login that applied and runs the vendor (role vendor); crew members have logins of their own.
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, unique=True)
    kind = db.Column(db.String(12), nullable=False)
    name = db.Column(db.String(80), nullable=False)
    phone = db.Column(db.String(20), nullable=False)
    # The 统一社会信用代码 of a company, or an individual's ID number (stored whole, shown masked).
    licence_number = db.Column(db.String(18), nullable=False, default="")
    id_number = db.Column(db.String(18), nullable=False, default="")
    vetting = db.Column(db.String(12), nullable=False, default=VettingStatus.APPLIED.value)
    vetting_note = db.Column(db.String(500), nullable=False, default="")  # what is missing, or why refused
    vetted_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    vetted_at = db.Column(UTCDateTime, nullable=True)
    standing = db.Column(db.String(12), nullable=False, default=Standing.GOOD.value)
    standing_reason = db.Column(db.String(40), nullable=False, default="")  # a key of reputation's reasons
    standing_since_at = db.Column(UTCDateTime, nullable=True)
    probation_until_at = db.Column(UTCDateTime, nullable=True)
    # The last computed score (0..1) that ranks offerings, rewritten by the reputation job.
    score = db.Column(db.Float, nullable=False, default=0.0)
    min_notice_min = db.Column(db.Integer, nullable=False, default=120)
    accepts_cash = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    categories = db.relationship("ServiceCategory", secondary=vendor_categories, order_by="ServiceCategory.sort_order")
    zone_ids = db.relationship("DeliveryZone", secondary=vendor_zones, viewonly=True)
    crews = db.relationship("Crew", back_populates="vendor", order_by="Crew.id")

    __table_args__ = (
        db.CheckConstraint("kind IN ('company', 'individual')", name="vendor_kind_valid"),
        db.CheckConstraint("vetting IN ('applied', 'more_info', 'approved', 'rejected')", name="vetting_valid"),
        db.CheckConstraint("standing IN ('good', 'probation', 'suspended')", name="standing_valid"),
    )


class VendorDocument(db.Model):
    """An uploaded licence, ID or insurance document: kept under ``instance/`` (never ``static/``),
    shown only to the vendor and staff."""

    __tablename__ = "vendor_documents"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(12), nullable=False)
    file_name = db.Column(db.String(80), nullable=False)  # the stored name (uploads storage), not the sender's
    content_type = db.Column(db.String(40), nullable=False)
    size_bytes = db.Column(db.Integer, nullable=False)
    uploaded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (db.CheckConstraint("kind IN ('licence', 'identity', 'insurance')", name="document_kind_valid"),)


class Crew(db.Model):
    """One team that can be at one address at a time; the unit the no-double-booking constraint guards.
    ``user_id`` is the crew member's own vendor login (None for the owner's own crew)."""

    __tablename__ = "vendor_crews"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False, index=True)
    label = db.Column(db.String(60), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, unique=True)
    is_active = db.Column(db.Boolean, nullable=False, default=True)

    vendor = db.relationship("Vendor", back_populates="crews")


class Offering(db.Model):
    """What a vendor sells: a category, a title and description in both languages, a duration,
    buffers, and a price model."""

    __tablename__ = "service_offerings"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False, index=True)
    category_id = db.Column(db.Integer, db.ForeignKey("service_categories.id"), nullable=False, index=True)
    title_zh = db.Column(db.String(80), nullable=False)
    title_en = db.Column(db.String(80), nullable=False)
    description_zh = db.Column(db.Text, nullable=False, default="")
    description_en = db.Column(db.Text, nullable=False, default="")
    duration_min = db.Column(db.Integer, nullable=False)
    buffer_before_min = db.Column(db.Integer, nullable=False, default=0)
    buffer_after_min = db.Column(db.Integer, nullable=False, default=0)
    price_model = db.Column(db.String(8), nullable=False, default=PriceModel.FIXED.value)
    price_cents = db.Column(db.Integer, nullable=False)
    photos = db.Column(db.JSON, nullable=False, default=list)  # stored photo names (uploads storage)
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    vendor = db.relationship("Vendor")
    category = db.relationship("ServiceCategory")

    __table_args__ = (
        db.CheckConstraint("price_model IN ('fixed', 'hourly', 'from')", name="price_model_valid"),
        db.CheckConstraint("price_cents > 0", name="offering_price_positive"),
        db.CheckConstraint("duration_min BETWEEN 15 AND 720", name="duration_range"),
        db.CheckConstraint("buffer_before_min >= 0 AND buffer_after_min >= 0", name="buffers_not_negative"),
    )


class AvailabilityRule(db.Model):
    """A weekly pattern: an RFC 5545 RRULE (``FREQ=WEEKLY;BYDAY=MO,TU``) and a window of the day in the
    store's time zone, with how many crews work it."""

    __tablename__ = "vendor_availability"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False, index=True)
    rrule = db.Column(db.String(200), nullable=False)
    start_min = db.Column(db.Integer, nullable=False)  # minutes after local midnight
    end_min = db.Column(db.Integer, nullable=False)
    crews = db.Column(db.Integer, nullable=False, default=1)

    __table_args__ = (db.CheckConstraint("0 <= start_min AND start_min < end_min AND end_min <= 1440",
                                         name="window_valid"),)


class AvailabilityException(db.Model):
    """One local date that differs from the pattern: closed (``start_min`` NULL) or other hours."""

    __tablename__ = "vendor_availability_exceptions"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False, index=True)
    day = db.Column(db.Date, nullable=False)
    start_min = db.Column(db.Integer, nullable=True)
    end_min = db.Column(db.Integer, nullable=True)
    note = db.Column(db.String(120), nullable=False, default="")

    __table_args__ = (db.UniqueConstraint("vendor_id", "day", name="uq_vendor_exception_day"),)
