"""Device tokens: staff make one for a counter tablet or a courier's phone (named, for a staff or
courier account of their store), list them and revoke them; an API request that carries one acts as
its account. Only the token's hash is stored; the token itself is returned once, by ``create``."""
from datetime import timedelta

from ..errors import ValueTooLong
from ..extensions import db
from . import errors, rules
from .models import DeviceToken, User

NAME_MAX = 60
# How stale "last used" may be: it is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def list_device_accounts(store_id):
    """The enabled staff and courier accounts of a store a token can be made for, by name."""
    return db.session.scalars(db.select(User).where(
        User.store_id == store_id, User.is_enabled.is_(True),
        User.role.in_([role.value for role in rules.DEVICE_TOKEN_ROLES])).order_by(User.name, User.id)).all()


def create_device_token(staff, *, user_id, name, now):
    """Make a token named ``name`` acting as account ``user_id`` (staff or courier, same store);
    returns ``(DeviceToken, token)``. The token is never stored: show it now or never."""
    name = (name or "").strip()
    if not name or not name.isprintable():
        raise errors.DeviceNameMissing()
    if len(name) > NAME_MAX:
        raise ValueTooLong("name", NAME_MAX)
    account = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if (account is None or account.store_id != staff.store_id or not account.is_enabled
            or account.role not in {role.value for role in rules.DEVICE_TOKEN_ROLES}):
        raise errors.DeviceAccountRefused()
    token = rules.new_device_token()
    device = DeviceToken(store_id=staff.store_id, user_id=account.id, name=name,
                         token_hash=rules.hash_device_token(token),
                         token_prefix=token[:rules.DEVICE_TOKEN_SHOWN_CHARS], created_by_id=staff.id, created_at=now)
    db.session.add(device)
    db.session.flush()
    return device, token


def list_device_tokens(store_id):
    """The store's device tokens: those in use first, then the revoked ones; newest first."""
    return db.session.scalars(db.select(DeviceToken).where(DeviceToken.store_id == store_id).order_by(
        DeviceToken.revoked_at.is_not(None), DeviceToken.id.desc())).all()


def revoke_device_token(staff, token_id, now):
    """Revoke a token of the staff member's store at once (its next request is refused); revoking
    a revoked token changes nothing. ``DeviceTokenNotFound`` for another store's or a missing one."""
    device = db.session.scalar(db.select(DeviceToken).where(DeviceToken.id == token_id,
                                                            DeviceToken.store_id == staff.store_id))
    if device is None:
        raise errors.DeviceTokenNotFound()
    db.session.execute(db.update(DeviceToken).where(DeviceToken.id == device.id, DeviceToken.revoked_at.is_(None))
                       .values(revoked_at=now, revoked_by_id=staff.id))
    db.session.flush()
    db.session.refresh(device)
    return device


def authenticate_device_token(token):
    """The account a token acts as, with the token's id: ``(User, id)``; None when the token is
    unknown, revoked, or its account disabled."""
    if not rules.looks_like_device_token(token):
        return None
    row = db.session.execute(db.select(User, DeviceToken.id).join(DeviceToken, DeviceToken.user_id == User.id).where(
        DeviceToken.token_hash == rules.hash_device_token(token), DeviceToken.revoked_at.is_(None),
        User.store_id == DeviceToken.store_id)).first()
    if row is None or not row[0].is_enabled:
        return None
    return row[0], row[1]


def note_device_token_used(token_id, now):
    """Record that a token was used (at most every ``LAST_USED_RESOLUTION``)."""
    db.session.execute(db.update(DeviceToken).where(
        DeviceToken.id == token_id,
        db.or_(DeviceToken.last_used_at.is_(None), DeviceToken.last_used_at < now - LAST_USED_RESOLUTION))
        .values(last_used_at=now).execution_options(synchronize_session=False))
