"""Verbs on accounts. They add and flush; the caller's ``transaction()`` commits."""
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..geo.operations import get_building
from ..roles import Role
from . import errors, rules
from .models import Address, User

_DUMMY_HASH = None
# Handlers of a new resident, ``handler(user, extras, now)``, called inside the registration's
# transaction: a domain above accounts (growth's referrals) registers here at app creation, since
# accounts may not import it. A handler raising a ``DomainError`` refuses the registration.
_registered_handlers = []


def on_registered(handler):
    """Call ``handler(user, extras, now)`` after each resident registers (``extras``: what the sign-up
    form carried besides the account, e.g. ``invite_code``). Registering it twice keeps one."""
    if handler not in _registered_handlers:
        _registered_handlers.append(handler)


def _hash(password):
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _check_password(password):
    problem = rules.password_problem(password, current_app.config["PASSWORD_MIN_LENGTH"])
    if problem:
        raise errors.PasswordTooWeak(problem, current_app.config["PASSWORD_MIN_LENGTH"])


def _normalise_phone(phone):
    try:
        return rules.normalise_phone(phone)
    except rules.InvalidPhone as exc:
        raise errors.PhoneInvalid(phone) from exc


def get_user_by_phone(phone):
    """The account for a typed phone number, or None (also when the number is not valid)."""
    try:
        e164 = rules.normalise_phone(phone)
    except rules.InvalidPhone:
        return None
    return db.session.scalar(db.select(User).where(User.phone == e164))


def load_user_from_token(token):
    """Flask-Login's loader: ``"<id>.<version>"`` -> the user, if the version is still current."""
    try:
        user_id, version = (int(part) for part in token.split("."))
    except (AttributeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_enabled:
        return None
    return user


def _new_user(store_id, phone, name, password, role, locale=None, name_en=""):
    e164 = _normalise_phone(phone)
    _check_password(password)
    if db.session.scalar(db.select(User.id).where(User.phone == e164)) is not None:
        raise errors.PhoneTaken(phone)
    user = User(store_id=store_id, phone=e164, name=name.strip(), name_en=" ".join((name_en or "").split()),
                password_hash=_hash(password),
                role=Role(role).value, locale=locale)
    db.session.add(user)
    return user


def register_resident(store_id, phone, name, password, building_id, unit, locale=None, *, extras=None, now=None):
    """A new resident with a default address in one of the store's buildings, or, with
    ``building_id=None``, none at all: someone who lives farther away and collects at the store.
    The ``on_registered`` handlers then see it with ``extras`` (a handler may refuse it by raising)."""
    building = None
    if building_id is not None:
        building = get_building(store_id, building_id)
        if building is None:
            raise errors.BuildingUnknown(building_id)
        if not (unit or "").strip():
            raise errors.UnitMissing()
    user = _new_user(store_id, phone, name, password, Role.RESIDENT, locale)
    if building is not None:
        user.addresses.append(Address(store_id=store_id, building=building, unit=unit.strip(), is_default=True))
    db.session.flush()
    for handler in list(_registered_handlers):
        handler(user, dict(extras or {}), now)
    return user


def create_team_account(actor, role, phone, name, password, name_en=""):
    """A staff or courier account in the actor's store, if the actor's role may create it.

    ``name_en`` is the name in Latin letters shown on English pages, when the person has one."""
    if role not in {r.value for r in Role} or not rules.can_create(actor.role, role):
        raise errors.RoleNotAllowed(role)
    user = _new_user(actor.store_id, phone, name, password, role, name_en=name_en)
    db.session.flush()
    return user


def create_vendor_login(store_id, phone, name, password, locale=None):
    """A login with the vendor role: a business applying to the marketplace, or one of its crew
    members (``services`` keeps the rest: the vendor, its crews)."""
    user = _new_user(store_id, phone, name, password, Role.VENDOR, locale)
    db.session.flush()
    return user


def set_vendor_login_enabled(user_id, enabled):
    """Enable or disable a vendor-role login (a crew member stopped or taken back); disabling ends
    its sessions. Other roles are left alone."""
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.VENDOR.value:
        return None
    user.is_enabled = enabled
    if not enabled:
        end_sessions(user)
    return user


def authenticate(phone, password):
    """The enabled user with this phone and password, or None; as slow for an unknown phone."""
    global _DUMMY_HASH
    user = get_user_by_phone(phone)
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hash("not-a-password")
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_enabled:
        return None
    return user


def record_login(user, now):
    """Remember when the user last logged in."""
    user.last_login_at = now
    db.session.flush()


def end_sessions(user):
    """Invalidate every session the user has (logout, password change)."""
    user.session_version = User.session_version + 1
    db.session.flush()
    db.session.refresh(user, ["session_version"])


def change_password(user, current_password, new_password):
    """Set a new password after checking the current one; ends every other session."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise errors.WrongPassword()
    _check_password(new_password)
    user.password_hash = _hash(new_password)
    end_sessions(user)


def set_locale(user, locale):
    """Remember the user's language."""
    user.locale = locale
    db.session.flush()


def set_enabled(actor, user_id, enabled):
    """Enable or disable a team member of the actor's store; disabling ends their sessions."""
    user = get_team_member(actor, user_id)
    if user is None:
        raise errors.MemberNotFound(user_id)
    user.is_enabled = enabled
    if not enabled:
        end_sessions(user)
    return user


def rename_member(actor, user_id, name, name_en=""):
    """Change a team member's name and its Latin spelling for English pages (actor's store only)."""
    user = get_team_member(actor, user_id)
    if user is None:
        raise errors.MemberNotFound(user_id)
    user.name, user.name_en = " ".join(name.split()), " ".join((name_en or "").split())
    db.session.flush()
    return user


def list_team(store_id):
    """Staff, couriers and owners of a store, by role then name."""
    return db.session.scalars(
        db.select(User).where(User.store_id == store_id,
                              User.role.in_([Role.STAFF.value, Role.COURIER.value, Role.OWNER.value]))
        .order_by(User.role, User.name, User.id)).all()


def get_team_member(actor, user_id):
    """A staff or courier account of the actor's store (never an owner, never another store's)."""
    return db.session.scalar(db.select(User).where(
        User.id == user_id, User.store_id == actor.store_id,
        User.role.in_([Role.STAFF.value, Role.COURIER.value]), User.id != actor.id))


def get_address(user, address_id):
    """The user's own address with this id, or None (someone else's is 'missing' too)."""
    return db.session.scalar(db.select(Address).where(Address.id == address_id, Address.user_id == user.id))


def add_address(user, building_id, unit, label="", make_default=False):
    """Add an address in one of the user's store's buildings; the first one becomes the default."""
    building = get_building(user.store_id, building_id)
    if building is None:
        raise errors.BuildingUnknown(building_id)
    address = Address(store_id=user.store_id, building=building, unit=(unit or "").strip(),
                      label=(label or "").strip())
    user.addresses.append(address)
    db.session.flush()
    if make_default or len(user.addresses) == 1:
        set_default_address(user, address.id)
    return address


def set_default_address(user, address_id):
    """Make one of the user's addresses the default (the others stop being it)."""
    address = get_address(user, address_id)
    if address is None:
        raise errors.AddressNotFound(address_id)
    db.session.execute(db.update(Address).where(Address.user_id == user.id, Address.id != address.id)
                       .values(is_default=False))
    db.session.flush()
    address.is_default = True
    db.session.flush()
    db.session.expire(user, ["addresses"])
    return address


def remove_address(user, address_id):
    """Delete one of the user's addresses; never the last one; the next becomes default."""
    address = get_address(user, address_id)
    if address is None:
        raise errors.AddressNotFound(address_id)
    if len(user.addresses) <= 1:
        raise errors.LastAddress()
    was_default = address.is_default
    user.addresses.remove(address)
    db.session.flush()
    if was_default:
        set_default_address(user, user.addresses[0].id)
