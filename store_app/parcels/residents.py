"""The resident's side of the station: their parcels waiting or on the way (matched by account, or
by phone when checked in before they registered), their history, the parcels others let them
collect, and the proxies they name."""
from ..accounts import rules as account_rules
from ..accounts.models import User
from ..extensions import db
from . import errors, notices
from .models import ON_SHELF, Parcel, ParcelProxy, ParcelStatus


def owned_by(user):
    """The condition "the parcel is ``user``'s": by account, or by phone if it was checked in before
    they registered."""
    return db.or_(Parcel.recipient_id == user.id, db.and_(Parcel.recipient_id.is_(None),
                                                          Parcel.recipient_phone == user.phone))


def list_for_resident(user, statuses=ON_SHELF + (ParcelStatus.OUT_FOR_DELIVERY.value,)):
    """The resident's own parcels in ``statuses`` (matched by account, or by phone if checked in before
    they registered), oldest first."""
    return db.session.scalars(db.select(Parcel).where(Parcel.store_id == user.store_id, owned_by(user),
                                                      Parcel.status.in_(statuses))
                              .order_by(Parcel.checked_in_at, Parcel.id)).all()


def history_for_resident(user, limit=30):
    """The resident's last ``limit`` parcels collected or returned, latest first."""
    return db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == user.store_id, owned_by(user),
        Parcel.status.in_((ParcelStatus.COLLECTED.value, ParcelStatus.RETURNED.value)))
        .order_by(Parcel.collected_at.desc().nulls_last(), Parcel.id.desc()).limit(limit)).all()


def list_for_proxy(user):
    """Parcels other residents let ``user`` collect (active authorisations, parcels on the shelf)."""
    grants = db.session.execute(db.select(ParcelProxy.owner_id, ParcelProxy.parcel_id).where(
        ParcelProxy.store_id == user.store_id, ParcelProxy.proxy_phone == user.phone,
        ParcelProxy.revoked_at.is_(None))).all()
    if not grants:
        return []
    everything = {owner for owner, parcel in grants if parcel is None}
    single = {parcel for _, parcel in grants if parcel is not None}
    # Parcels checked in before the owner had an account carry only their phone number.
    phones = db.session.scalars(db.select(User.phone).where(User.id.in_(everything))).all() if everything else []
    return db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == user.store_id, Parcel.status == ParcelStatus.WAITING.value,
        db.or_(Parcel.recipient_id.in_(everything), Parcel.id.in_(single),
               db.and_(Parcel.recipient_id.is_(None), Parcel.recipient_phone.in_(phones))))
        .order_by(Parcel.checked_in_at, Parcel.id)).all()


def authorise_proxy(user, proxy_phone, parcel_id, now):
    """Let someone (by phone) collect one of the resident's parcels, or all of them (``parcel_id``
    None); they are told (inbox, or SMS without an account) when the naming is new."""
    try:
        e164 = account_rules.normalise_phone(proxy_phone or "")
    except account_rules.InvalidPhone:
        raise errors.ProxyInvalid() from None
    if e164 == user.phone:
        raise errors.ProxyInvalid()
    parcel = None
    if parcel_id is not None:
        parcel = db.session.scalar(db.select(Parcel).where(Parcel.id == parcel_id, Parcel.store_id == user.store_id,
                                                           owned_by(user)))
        if parcel is None:
            raise errors.NotYours()
    existing = db.session.scalar(db.select(ParcelProxy).where(
        ParcelProxy.owner_id == user.id, ParcelProxy.proxy_phone == e164, ParcelProxy.revoked_at.is_(None),
        ParcelProxy.parcel_id.is_(None) if parcel_id is None else ParcelProxy.parcel_id == parcel_id))
    if existing is not None:
        return existing
    grant = ParcelProxy(store_id=user.store_id, owner_id=user.id, proxy_phone=e164, parcel_id=parcel_id,
                        created_at=now)
    db.session.add(grant)
    db.session.flush()
    notices.tell_proxy_named(grant, user, parcel, now)
    return grant


def list_proxies(user):
    """The resident's proxies still in force, oldest first."""
    return db.session.scalars(db.select(ParcelProxy).where(ParcelProxy.owner_id == user.id,
                                                           ParcelProxy.revoked_at.is_(None))
                              .order_by(ParcelProxy.id)).all()


def revoke_proxy(user, proxy_id, now):
    """Withdraw one of the resident's proxies (who is told); ``NotYours`` if it is not theirs or
    already withdrawn."""
    revoked = db.session.execute(db.update(ParcelProxy).where(
        ParcelProxy.id == proxy_id, ParcelProxy.owner_id == user.id, ParcelProxy.revoked_at.is_(None))
        .values(revoked_at=now)).rowcount
    if not revoked:
        raise errors.NotYours()
    grant = db.session.get(ParcelProxy, proxy_id)
    parcel = db.session.get(Parcel, grant.parcel_id) if grant.parcel_id is not None else None
    notices.tell_proxy_withdrawn(grant, user, parcel, now)
