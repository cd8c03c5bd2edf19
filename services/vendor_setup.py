"""A vendor from its application to its crews: applying (a login, a ``Vendor`` waiting for staff, its
categories, service area and documents), fixing an application staff sent back, and the crews of an
approved vendor (each crew member a vendor login of its own).

``get_vendor_for_user`` is how every vendor page finds the vendor of whoever is logged in: the
owner's login, or an active crew member's. Verbs add and flush; the caller's ``transaction()`` commits.
"""
from flask_babel import lazy_gettext as _l

from store_app.accounts.models import User
from store_app.accounts.operations import create_vendor_login, set_vendor_login_enabled
from store_app.extensions import db
from store_app.geo.operations import list_zones
from store_app.notifications.operations import notify_many
from store_app.roles import Role

from . import documents, id_rules
from .errors import (AlreadyApplied, ChoiceRefused, CrewsInUse, DocumentRefused, IdNumberRefused, LastCrew,
                     NotApproved, NotFound, NotVendorOwner, VettingChanged)
from .models import (AvailabilityRule, Crew, DocumentKind, ServiceCategory, Vendor, VendorKind, VettingStatus,
                     vendor_zones)

FIRST_CREW_LABEL = "Crew 1"


def get_vendor_for_user(user_id):
    """The vendor a login acts for: the one it owns, or the one whose active crew it is; else None."""
    vendor = db.session.scalar(db.select(Vendor).where(Vendor.owner_id == user_id))
    if vendor is not None:
        return vendor
    return db.session.scalar(db.select(Vendor).join(Crew, Crew.vendor_id == Vendor.id)
                             .where(Crew.user_id == user_id, Crew.is_active.is_(True)))


def get_owner_login(vendor):
    """The login that applied for and runs the vendor."""
    return db.session.get(User, vendor.owner_id)


def list_active_categories(store_id):
    """The store's categories a vendor may choose, in their order."""
    return db.session.scalars(db.select(ServiceCategory).where(
        ServiceCategory.store_id == store_id, ServiceCategory.is_active.is_(True))
        .order_by(ServiceCategory.sort_order, ServiceCategory.id)).all()


def list_area_zones(store_id):
    """The store's delivery zones: the service areas a vendor may choose."""
    return list_zones(store_id)


def zone_ids_of(vendor_id):
    """The ids of the zones a vendor serves."""
    return set(db.session.scalars(db.select(vendor_zones.c.zone_id).where(vendor_zones.c.vendor_id == vendor_id)))


def _chosen(store_id, category_ids, zone_ids):
    categories = [c for c in list_active_categories(store_id) if c.id in set(category_ids)]
    if not categories or len(categories) != len(set(category_ids)):
        raise ChoiceRefused("categories", _l("Choose at least one of the listed services."))
    zones = {z.id for z in list_area_zones(store_id)}
    if not zone_ids or not set(zone_ids) <= zones:
        raise ChoiceRefused("zones", _l("Choose at least one of the listed areas."))
    return categories, sorted(set(zone_ids))


def _set_identity(vendor, kind, number):
    try:
        compact = id_rules.check_id_number(kind, number)
    except id_rules.IdNumberInvalid as exc:
        raise IdNumberRefused(kind) from exc
    vendor.kind = VendorKind(kind).value
    vendor.licence_number, vendor.id_number = (compact, "") if kind == "company" else ("", compact)


def _set_area(vendor, zone_ids):
    db.session.execute(vendor_zones.delete().where(vendor_zones.c.vendor_id == vendor.id))
    db.session.execute(vendor_zones.insert(), [{"vendor_id": vendor.id, "zone_id": z} for z in zone_ids])


def _keep_documents(vendor, files):
    for kind in DocumentKind:
        read = files.get(kind.value)
        if read is not None:
            documents.keep_document(vendor, kind.value, read)


def apply(store_id, *, name, kind, id_number, category_ids, zone_ids, files, now, user=None, phone="",
          password="", locale=None):
    """A new application, waiting for staff: with ``user`` (a vendor login that has none yet) or a new
    vendor login made from ``phone`` and ``password``. ``files`` maps a document kind to a checked
    ``documents.ReadFile``. Every check runs before anything is written."""
    if kind not in (VendorKind.COMPANY.value, VendorKind.INDIVIDUAL.value):
        raise ChoiceRefused("kind", _kind_message())
    probe = Vendor(store_id=store_id)
    _set_identity(probe, kind, id_number)
    categories, zones = _chosen(store_id, category_ids, zone_ids)
    required = DocumentKind.LICENCE.value if kind == VendorKind.COMPANY.value else DocumentKind.IDENTITY.value
    if files.get(required) is None:
        raise DocumentRefused(required, "missing")
    if user is not None and get_vendor_for_user(user.id) is not None:
        raise AlreadyApplied()
    user = user or create_vendor_login(store_id, phone, name, password, locale)
    vendor = Vendor(store_id=store_id, owner_id=user.id, kind=probe.kind, name=" ".join(name.split()),
                    phone=user.phone, licence_number=probe.licence_number, id_number=probe.id_number,
                    vetting=VettingStatus.APPLIED.value, created_at=now)
    vendor.categories = categories
    db.session.add(vendor)
    db.session.flush()
    _set_area(vendor, zones)
    _keep_documents(vendor, files)
    db.session.flush()
    _tell_staff(vendor, "vendor_applied", now)
    return vendor


def _tell_staff(vendor, kind, now):
    """The store's staff and owners learn that an application waits for them."""
    people = db.session.scalars(db.select(User.id).where(
        User.store_id == vendor.store_id, User.role.in_([Role.STAFF.value, Role.OWNER.value]),
        User.is_enabled.is_(True)).order_by(User.id)).all()
    notify_many([dict(user_id=user_id, store_id=vendor.store_id, kind=kind,
                      dedupe_key=f"{kind}:{vendor.id}:{now.isoformat()}", params={"name": vendor.name},
                      link=f"/console/services/vendors/{vendor.id}") for user_id in people], now)


def _kind_message():
    return _l("Choose a company or an individual.")


def fix_application(vendor, *, name, kind, id_number, category_ids, zone_ids, files, now):
    """The vendor answers staff's request for more: the fields corrected, documents added, and the
    application waiting again (only from ``more_info``; else ``VettingChanged``)."""
    if kind not in (VendorKind.COMPANY.value, VendorKind.INDIVIDUAL.value):
        raise ChoiceRefused("kind", _kind_message())
    _set_identity(vendor, kind, id_number)
    categories, zones = _chosen(vendor.store_id, category_ids, zone_ids)
    moved = db.session.execute(db.update(Vendor).where(Vendor.id == vendor.id,
                                                       Vendor.vetting == VettingStatus.MORE_INFO.value)
                               .values(vetting=VettingStatus.APPLIED.value)
                               .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise VettingChanged()
    vendor.vetting = VettingStatus.APPLIED.value
    vendor.name = " ".join(name.split())
    vendor.categories = categories
    _set_area(vendor, zones)
    _keep_documents(vendor, files)
    db.session.flush()
    _tell_staff(vendor, "vendor_resubmitted", now)
    return vendor


# ---- crews ---------------------------------------------------------------------------------------

def _require_owner(vendor, actor_id):
    if vendor.owner_id != actor_id:
        raise NotVendorOwner()
    if vendor.vetting != VettingStatus.APPROVED.value:
        raise NotApproved()


def ensure_first_crew(vendor):
    """Every approved vendor has at least one crew: "Crew 1" (the owner's own) when it has none."""
    if not any(crew.is_active for crew in vendor.crews):
        crew = Crew(vendor_id=vendor.id, label=FIRST_CREW_LABEL)
        db.session.add(crew)
        vendor.crews.append(crew)
        db.session.flush()


def active_crews(vendor):
    """The vendor's working crews, in the order they were added."""
    return [crew for crew in vendor.crews if crew.is_active]


def add_crew(vendor, actor_id, *, name, phone, password, locale=None):
    """A crew member of an approved vendor (owner only): a vendor login of their own and a crew."""
    _require_owner(vendor, actor_id)
    user = create_vendor_login(vendor.store_id, phone, name, password, locale)
    crew = Crew(vendor_id=vendor.id, label=" ".join(name.split())[:60], user_id=user.id)
    db.session.add(crew)
    db.session.flush()
    return crew


def deactivate_crew(vendor, actor_id, crew_id):
    """Stop a crew (owner only): it takes no more work and its login is disabled. The last working
    crew, or one the weekly hours still count on, cannot be stopped."""
    _require_owner(vendor, actor_id)
    crew = next((c for c in vendor.crews if c.id == crew_id and c.is_active), None)
    if crew is None:
        raise NotFound()
    remaining = len(active_crews(vendor)) - 1
    if remaining < 1:
        raise LastCrew()
    needed = db.session.scalar(db.select(db.func.max(AvailabilityRule.crews))
                               .where(AvailabilityRule.vendor_id == vendor.id)) or 0
    if needed > remaining:
        raise CrewsInUse(needed)
    crew.is_active = False
    if crew.user_id is not None:
        set_vendor_login_enabled(crew.user_id, False)
    db.session.flush()
    return crew
