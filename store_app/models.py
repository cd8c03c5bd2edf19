"""Every model, imported in one place so the metadata (and Alembic) sees the whole schema."""
from .accounts.models import Address, User, UserActivity  # noqa: F401
from .breakfast.models import (  # noqa: F401
    BreakfastDay, BreakfastItem, BreakfastOrder, BreakfastOrderLine, BreakfastSettings, CalendarOverride, Child,
    DayItem, ParentPrefs, PrepSheet, Subscription, SubscriptionItem, WaitlistEntry)
from .catalogue.models import Category, Merchant, Product, StockMovement  # noqa: F401
from .deliveries.models import CourierShift, DeliveryTask  # noqa: F401
from .growth.models import (  # noqa: F401
    Campaign, CampaignMember, Coupon, CouponGrant, Purchase, SegmentMember)
from .growth.push_models import PushDelivery, PushRecipient, ScenarioPush  # noqa: F401
from .growth.points_models import PointsAccount, PointsEntry, PointsShortfall, Referral  # noqa: F401
from .geo.models import Building, DeliveryZone  # noqa: F401
from .jobs.models import JobRun  # noqa: F401
from .notifications.models import Notification, NotificationPreference, OutboxMessage  # noqa: F401
from .parcels.models import Carrier, Parcel, ParcelEvent, ParcelProxy, Shelf  # noqa: F401
from .reports.rollup_models import DailyRollup  # noqa: F401
from .orders.models import CartItem, Order, OrderEvent, OrderItem, VoiceOrder  # noqa: F401
from .orders.review_models import OrderReview, ProductReview  # noqa: F401
from .stores.models import Store, StoreHours  # noqa: F401
from .wallet.models import Wallet, WalletEntry  # noqa: F401
# The service marketplace lives in the top-level ``services`` package; its schema is part of the app's.
from services.booking_models import (  # noqa: F401,E402
    Appeal, Booking, BookingOffer, Claim, Dispute, Review, StandingEvent, VendorLedgerEntry, VerifiedAddress)
from services.models import (  # noqa: F401,E402
    AvailabilityException, AvailabilityRule, Crew, Offering, ServiceCategory, Vendor, VendorDocument)
