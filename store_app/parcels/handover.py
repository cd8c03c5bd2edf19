"""Handing parcels over at the counter: the lookups by pickup code and by label, the code checked
(five misses lock it), every parcel waiting for the same recipient and who may collect them, the
handover itself (once per code: a guarded UPDATE) with the storage fee, a new code after the lock,
and the counter's list of handovers read back from the audit trail."""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from ..notifications.operations import notify_many
from ..roles import Role
from ..wallet import operations as wallet
from ..wallet.errors import InsufficientFunds
from ..web.i18n import localized
from . import errors, rules
from .codes import code_secret
from .models import Parcel, ParcelEvent, ParcelProxy, ParcelStatus
from .notices import tell, tell_collected_by_proxy
from .terms import fee_due

REISSUE_ATTEMPTS = 8  # fresh codes tried when the unique index refuses one another parcel holds


def get_parcel(store_id, parcel_id):
    """The store's parcel with this id, in any status, or None."""
    return db.session.scalar(db.select(Parcel).where(Parcel.id == parcel_id, Parcel.store_id == store_id))


def find_by_code(store_id, code):
    """The parcel on the shelf with this pickup code, or ``CodeUnknown``: also for a locked parcel's
    code, so the answer never tells a guesser that a code exists. Misses are counted per staff
    member and per store by the counter's limits (a code that matches nothing points at no parcel)."""
    if not rules.is_code_shaped(code):
        raise errors.CodeUnknown()
    parcel = db.session.scalar(db.select(Parcel).where(
        Parcel.store_id == store_id, Parcel.code_hash == rules.hash_code(code_secret(), store_id, code),
        Parcel.status == ParcelStatus.WAITING.value))
    if parcel is None or parcel.code_misses >= rules.MAX_CODE_MISSES:
        raise errors.CodeUnknown()
    return parcel


def tell_owners_of_code_misses(staff, now):
    """The store's owners are told, once an hour per staff member, that codes typed at the counter
    keep matching no parcel (someone may be guessing)."""
    owners = db.session.scalars(db.select(User.id).where(User.store_id == staff.store_id,
                                                         User.role == Role.OWNER.value)).all()
    hour = now.strftime("%Y%m%d%H")
    notify_many([dict(user_id=owner_id, store_id=staff.store_id, kind="parcel_code_misses",
                      dedupe_key=f"parcel_code_misses:{staff.id}:{hour}", link="/console/parcels/handover",
                      params={"staff": staff.name, "staff_zh": staff.name, "staff_en": staff.name_en})
                 for owner_id in owners], now)


def find_by_label(store_id, text):
    """The parcel on the shelf with this label code (``3-2-015``) or tracking number, or None."""
    slot = rules.parse_shelf_code(text)
    condition = Parcel.shelf_code == rules.shelf_code(*slot) if slot else \
        Parcel.tracking_number == (rules.normalise_tracking(text) or "")
    return db.session.scalar(db.select(Parcel).where(Parcel.store_id == store_id, condition,
                                                     Parcel.status == ParcelStatus.WAITING.value))


def check_code(store_id, parcel_id, code):
    """The code typed for a parcel staff picked by its label: right, or one more miss (5 lock it)."""
    parcel = get_parcel(store_id, parcel_id)
    if parcel is None or parcel.status != ParcelStatus.WAITING.value:
        raise errors.ParcelNotFound()
    if parcel.code_misses >= rules.MAX_CODE_MISSES:
        raise errors.CodeLocked()
    if rules.is_code_shaped(code) and rules.hash_code(code_secret(), store_id, code) == parcel.code_hash:
        return parcel
    db.session.execute(db.update(Parcel).where(Parcel.id == parcel.id, Parcel.code_misses < rules.MAX_CODE_MISSES)
                       .values(code_misses=Parcel.code_misses + 1))
    db.session.flush()
    db.session.refresh(parcel)
    left = rules.MAX_CODE_MISSES - parcel.code_misses
    if left <= 0:
        raise errors.CodeLocked()
    raise errors.CodeWrong(tries_left=left)


@dataclass(frozen=True)
class Collector:
    """Who may take a parcel: its recipient, or a proxy they named."""

    user_id: int | None
    name: str
    phone: str
    as_: str  # "recipient" or "proxy"


def handover_set(store_id, parcel):
    """Every parcel on the shelf for the same recipient, and who may collect them."""
    owner = parcel.recipient or db.session.scalar(db.select(User).where(
        User.phone == parcel.recipient_phone, User.store_id == store_id, User.role == Role.RESIDENT.value))
    by_phone = db.and_(Parcel.recipient_id.is_(None), Parcel.recipient_phone == parcel.recipient_phone)
    same = db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == store_id, Parcel.status == ParcelStatus.WAITING.value,
        db.or_(Parcel.recipient_id == owner.id, by_phone) if owner is not None else by_phone)
        .order_by(Parcel.shelf_code)).all()
    collectors = [Collector(owner.id if owner else None, localized(owner) if owner else parcel.recipient_name,
                            parcel.recipient_phone, "recipient")]
    if owner is not None:
        grants = db.session.scalars(db.select(ParcelProxy).where(
            ParcelProxy.owner_id == owner.id, ParcelProxy.revoked_at.is_(None),
            db.or_(ParcelProxy.parcel_id.is_(None), ParcelProxy.parcel_id.in_([p.id for p in same])))).all()
        phones = sorted({g.proxy_phone for g in grants})
        users = ({u.phone: u for u in db.session.scalars(db.select(User).where(User.phone.in_(phones)))}
                 if phones else {})
        collectors += [Collector(users[p].id if p in users else None, localized(users[p]) if p in users else "", p,
                                 "proxy")
                       for p in phones]
    return same, collectors


def hand_over(staff, store, parcel_ids, *, collector_phone, payment, now):
    """Hand the chosen parcels over; returns ``(parcels, fee_cents)``.

    Each parcel moves waiting -> collected in one guarded UPDATE (its code works once: two counters
    confirming at the same moment give one handover, the other gets ``AlreadyHandedOver``). The
    storage fee is taken from the recipient's wallet, or recorded as cash taken at the counter.
    A proxy's collection is told to the recipient (inbox).
    """
    if not parcel_ids:
        raise errors.NothingChosen()
    parcels = db.session.scalars(db.select(Parcel).where(Parcel.store_id == store.id,
                                                         Parcel.id.in_(sorted(set(parcel_ids))))
                                 .order_by(Parcel.id)).all()
    if len(parcels) != len(set(parcel_ids)):
        raise errors.ParcelNotFound()
    first = parcels[0]
    allowed, collectors = handover_set(store.id, first)
    if {p.id for p in parcels} - {p.id for p in allowed}:
        raise errors.AlreadyHandedOver()
    collector = next((c for c in collectors if c.phone == collector_phone), collectors[0])
    total = 0
    for parcel in parcels:
        fee = fee_due(store, parcel, now)
        moved = db.session.execute(db.update(Parcel).where(
            Parcel.id == parcel.id, Parcel.status == ParcelStatus.WAITING.value,
            Parcel.code_misses < rules.MAX_CODE_MISSES)
            .values(status=ParcelStatus.COLLECTED.value, collected_at=now, handed_over_by=staff.id,
                    collected_by_id=collector.user_id, collected_as=collector.as_, fee_cents=fee,
                    fee_paid_with=(payment if fee else None))).rowcount
        if not moved:
            raise errors.AlreadyHandedOver()
        total += fee
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind="handed_over", actor_id=staff.id,
                                   to_user_id=collector.user_id, at=now,
                                   note=f"{collector.as_} {collector.phone}"
                                   + (f" fee {fee} {payment}" if fee else "")))
    if total and payment == "wallet":
        payer = collectors[0].user_id  # the recipient's account (found by phone for older parcels)
        if payer is None:
            raise errors.FeeUnpaid()
        try:
            wallet.debit(payer, store.id, total, "payment", note_key="parcel_storage_fee", actor_id=staff.id, now=now)
        except InsufficientFunds:
            raise errors.FeeUnpaid() from None
    db.session.flush()
    for parcel in parcels:
        db.session.refresh(parcel)
    if collector.as_ == "proxy" and collectors[0].user_id is not None:
        tell_collected_by_proxy(collectors[0].user_id, store.id, parcels, collector.name, collector.phone, now)
    return parcels, total


def reissue_code(staff, parcel_id, now):
    """A new code for a parcel (after the lock, or on request), never the one it had: the old code
    stops working at once. The recipient is told the new one."""
    parcel = get_parcel(staff.store_id, parcel_id)
    if parcel is None or parcel.status != ParcelStatus.WAITING.value:
        raise errors.ParcelNotFound()
    for _attempt in range(REISSUE_ATTEMPTS):
        nonce = rules.new_code_nonce()
        code = rules.derive_code(code_secret(), nonce)
        if rules.hash_code(code_secret(), parcel.store_id, code) == parcel.code_hash:
            continue  # a fresh nonce can still derive the same six digits (one in a million)
        try:
            with db.session.begin_nested():
                db.session.execute(db.update(Parcel).where(Parcel.id == parcel.id).values(
                    code_nonce=nonce, code_hash=rules.hash_code(code_secret(), parcel.store_id, code), code_misses=0))
        except IntegrityError:
            continue
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind="code_reissued", actor_id=staff.id, at=now))
        db.session.flush()
        db.session.refresh(parcel)
        tell(parcel, "parcel_new_code", "new_code", now, code=code)
        return parcel, code
    raise errors.ParcelError()


@dataclass(frozen=True)
class Handover:
    """One handover at the counter, read back from the audit trail."""

    at: object            # aware UTC datetime
    shelf_code: str
    tracking_number: str
    collected_as: str     # "recipient" or "proxy"
    collector_name: str
    collector_phone: str
    staff_name: str
    fee_cents: int
    fee_paid_with: str | None


def list_handovers(store_id, since, limit=50):
    """Handovers at the counter at or after ``since``, newest first, with who handed over to whom."""
    staff, collector = db.aliased(User), db.aliased(User)
    rows = db.session.execute(
        db.select(ParcelEvent.at, ParcelEvent.note, Parcel.shelf_code, Parcel.tracking_number, Parcel.fee_cents,
                  Parcel.fee_paid_with, staff.name, collector.name)
        .join(Parcel, Parcel.id == ParcelEvent.parcel_id)
        .outerjoin(staff, staff.id == ParcelEvent.actor_id)
        .outerjoin(collector, collector.id == ParcelEvent.to_user_id)
        .where(Parcel.store_id == store_id, ParcelEvent.kind == "handed_over", ParcelEvent.at >= since)
        .order_by(ParcelEvent.at.desc(), ParcelEvent.id.desc()).limit(limit)).all()
    handovers = []
    for at, note, shelf_code, tracking, fee, paid_with, staff_name, collector_name in rows:
        as_, _, rest = note.partition(" ")  # hand_over writes "<as> <phone>[ fee <cents> <how>]"
        handovers.append(Handover(at, shelf_code or "", tracking, as_, collector_name or "", rest.split(" ")[0],
                                  staff_name or "", fee, paid_with))
    return handovers
