"""A vendor's offerings: create, edit, stop and show again. Only an approved vendor in good or
probation standing publishes; the category must be one the vendor was approved for. Photos are
re-encoded before they are kept (``documents``), and a removed photo's file goes when the change
commits. Verbs add and flush; the caller's ``transaction()`` commits."""
from flask_babel import lazy_gettext as _l

from store_app.extensions import db

from . import documents
from .errors import ChoiceRefused, NotApproved, NotFound, NotVendorOwner
from .models import Offering, PriceModel, Standing, VettingStatus

PUBLISHING_STANDINGS = (Standing.GOOD.value, Standing.PROBATION.value)
FIELDS = ("title_zh", "title_en", "description_zh", "description_en", "duration_min", "buffer_before_min",
          "buffer_after_min", "price_model", "price_cents")


def can_publish(vendor):
    """Whether the vendor may publish offerings: approved, and in good or probation standing."""
    return vendor.vetting == VettingStatus.APPROVED.value and vendor.standing in PUBLISHING_STANDINGS


def _check(vendor, actor_id, category_id, values):
    if vendor.owner_id != actor_id:
        raise NotVendorOwner()
    if not can_publish(vendor):
        raise NotApproved()
    if category_id not in {c.id for c in vendor.categories}:
        raise ChoiceRefused("category_id", _l("Choose one of your approved services."))
    if values.get("price_model") not in {m.value for m in PriceModel}:
        raise ChoiceRefused("price_model", _l("Choose how the price is counted."))


def list_offerings(vendor_id):
    """The vendor's offerings, active first, newest first."""
    return db.session.scalars(db.select(Offering).where(Offering.vendor_id == vendor_id)
                              .order_by(Offering.is_active.desc(), Offering.id.desc())).all()


def get_offering(vendor, offering_id):
    """The vendor's offering with this id; ``NotFound`` for another vendor's or a missing one."""
    offering = db.session.get(Offering, offering_id)
    if offering is None or offering.vendor_id != vendor.id:
        raise NotFound()
    return offering


def create_offering(vendor, actor_id, *, category_id, values, new_photos=()):
    """A new active offering with ``values`` (the ``FIELDS``) and the re-encoded ``new_photos``."""
    _check(vendor, actor_id, category_id, values)
    offering = Offering(vendor_id=vendor.id, category_id=category_id, is_active=True,
                        **{name: values[name] for name in FIELDS})
    offering.photos = [documents.keep_photo(read) for read in new_photos][:documents.MAX_PHOTOS]
    db.session.add(offering)
    db.session.flush()
    return offering


def update_offering(vendor, actor_id, offering_id, *, category_id, values, new_photos=(), removed=()):
    """Change an offering: its fields, photos added (up to the limit) and photos removed."""
    offering = get_offering(vendor, offering_id)
    _check(vendor, actor_id, category_id, values)
    for name in FIELDS:
        setattr(offering, name, values[name])
    offering.category_id = category_id
    kept = [name for name in offering.photos or [] if name not in set(removed)]
    for name in set(offering.photos or []) - set(kept):
        documents.drop_photo(name)
    room = max(0, documents.MAX_PHOTOS - len(kept))
    offering.photos = kept + [documents.keep_photo(read) for read in list(new_photos)[:room]]
    db.session.flush()
    return offering


def set_offering_active(vendor, actor_id, offering_id, active):
    """Stop an offering (residents no longer see it) or show it again (publishing rules apply)."""
    offering = get_offering(vendor, offering_id)
    if vendor.owner_id != actor_id:
        raise NotVendorOwner()
    if active and not can_publish(vendor):
        raise NotApproved()
    offering.is_active = bool(active)
    db.session.flush()
    return offering
