"""Parcel station verbs: check in, hand over against the code, re-issue a locked code, proxies, the
overdue ladder, hand back to the carrier. They execute and flush; the caller's ``transaction()``
commits. Races are settled by the database: a slot, a code and a live tracking number are unique
among the parcels on the shelf (partial unique indexes), and every step is a guarded UPDATE.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..accounts import rules as account_rules
from ..accounts.models import Role, User
from ..extensions import db
from ..notifications.operations import notify
from ..orders.lifecycle import on_finish
from ..wallet import operations as wallet
from ..wallet.errors import InsufficientFunds
from . import errors, rules
from .models import ON_SHELF, Carrier, Parcel, ParcelEvent, ParcelProxy, ParcelStatus, Shelf

CHECK_IN_ATTEMPTS = 8
DEFAULT_CARRIERS = ("中通快递 ZTO", "圆通速递 YTO", "韵达快递 Yunda", "申通快递 STO", "顺丰速运 SF Express",
                    "京东物流 JD Logistics", "极兔速递 J&T", "邮政 EMS / China Post", "菜鸟 Cainiao")


def _secret():
    return current_app.config["SECRET_KEY"]


def fee_rules(store):
    return rules.FeeRules(free_days=store.parcel_free_days, per_day_cents=store.parcel_fee_per_day_cents)


def ladder(store):
    return rules.Ladder(first_reminder_h=store.parcel_first_reminder_h,
                        second_reminder_h=store.parcel_second_reminder_h,
                        return_after_days=store.parcel_return_days)


def pickup_code(parcel):
    """The parcel's current six-digit code (derived; never stored)."""
    return rules.derive_code(_secret(), parcel.code_nonce) if parcel.code_nonce else None


# ---- shelves and carriers -----------------------------------------------------------------------

def list_shelves(store_id):
    return db.session.scalars(db.select(Shelf).where(Shelf.store_id == store_id, Shelf.is_active.is_(True))
                              .order_by(Shelf.number)).all()


def save_shelf(store_id, number, tiers, capacity):
    """Add a shelf, or change the tiers/capacity of the one with this number."""
    shelf = db.session.scalar(db.select(Shelf).where(Shelf.store_id == store_id, Shelf.number == number))
    if shelf is None:
        shelf = Shelf(store_id=store_id, number=number)
        db.session.add(shelf)
    shelf.tiers, shelf.capacity, shelf.is_active = tiers, capacity, True
    db.session.flush()
    return shelf


def list_carriers(store_id):
    """The store's carriers in order; the common ones on first use."""
    carriers = db.session.scalars(db.select(Carrier.name).where(Carrier.store_id == store_id)
                                  .order_by(Carrier.position, Carrier.id)).all()
    return list(carriers) or list(DEFAULT_CARRIERS)


def set_carriers(store_id, names):
    """Replace the carrier list (one name per line in the console)."""
    cleaned = []
    for name in names:
        name = " ".join(name.split())[:40]
        if name and name not in cleaned:
            cleaned.append(name)
    db.session.execute(db.delete(Carrier).where(Carrier.store_id == store_id))
    db.session.add_all(Carrier(store_id=store_id, name=name, position=i) for i, name in enumerate(cleaned))
    db.session.flush()
    return cleaned


def tier_spaces(store_id):
    """``[rules.TierSpace]`` for every tier of every active shelf, with the space parcels on it take."""
    units = db.case(*((Parcel.size == size, n) for size, n in rules.SIZE_UNITS.items()), else_=1)
    used = dict(((shelf_id, tier), total) for shelf_id, tier, total in db.session.execute(
        db.select(Parcel.shelf_id, Parcel.tier, db.func.sum(units))
        .where(Parcel.store_id == store_id, Parcel.status.in_(ON_SHELF), Parcel.shelf_id.is_not(None))
        .group_by(Parcel.shelf_id, Parcel.tier)))
    return [(shelf, rules.TierSpace(shelf.number, tier, shelf.capacity, int(used.get((shelf.id, tier), 0))))
            for shelf in list_shelves(store_id) for tier in range(1, shelf.tiers + 1)]


@dataclass(frozen=True)
class Gauge:
    used: int
    capacity: int
    parcels: int

    @property
    def percent(self):
        return round(100 * self.used / self.capacity) if self.capacity else 0


def capacity_gauge(store_id):
    """How full the station is, in size units, and how many parcels are on the shelves."""
    spaces = [space for _, space in tier_spaces(store_id)]
    parcels = db.session.scalar(db.select(db.func.count(Parcel.id)).where(
        Parcel.store_id == store_id, Parcel.status.in_(ON_SHELF)))
    return Gauge(sum(s.used for s in spaces), sum(s.capacity for s in spaces), parcels)


def propose(store_id, size):
    """``(shelf, TierSpace)`` where a parcel of ``size`` would go now, or None if nothing has room."""
    spaces = tier_spaces(store_id)
    best = rules.propose_slot([space for _, space in spaces], size)
    if best is None:
        return None
    return next((shelf, space) for shelf, space in spaces if space == best)


# ---- check-in -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckedIn:
    parcel: Parcel
    code: str
    matched: bool  # the phone belongs to a resident account


def clean_check_in(tracking_number, carrier, phone, size):
    """The check-in fields cleaned: ``(tracking, carrier, e164, size)`` or the first ``ParcelError``."""
    tracking = rules.normalise_tracking(tracking_number)
    if tracking is None:
        raise errors.TrackingInvalid()
    carrier = " ".join((carrier or "").split())[:40]
    if not carrier:
        raise errors.CarrierMissing()
    try:
        e164 = account_rules.normalise_phone(phone or "")
    except account_rules.InvalidPhone:
        raise errors.PhoneInvalid() from None
    if size not in rules.SIZES:
        raise errors.SizeInvalid()
    return tracking, carrier, e164, size


def _live_tracking(store_id, tracking):
    return db.session.scalar(db.select(Parcel.id).where(
        Parcel.store_id == store_id, Parcel.tracking_number == tracking,
        Parcel.status != ParcelStatus.RETURNED.value))


def _slot_for(store_id, size, override):
    """``(shelf, tier)`` proposed, or the staff's choice ``(shelf number, tier)`` if it has room."""
    if override is None:
        found = propose(store_id, size)
        if found is None:
            raise errors.ShelvesFull()
        return found[0], found[1].tier
    number, tier = override
    for shelf, space in tier_spaces(store_id):
        if space.shelf == number and space.tier == tier:
            if space.used + rules.SIZE_UNITS[size] > space.capacity:
                raise errors.SlotInvalid()
            return shelf, tier
    raise errors.SlotInvalid()


def _sequence_on(shelf_id, tier):
    taken = db.session.scalars(db.select(Parcel.sequence).where(
        Parcel.shelf_id == shelf_id, Parcel.tier == tier, Parcel.status.in_(ON_SHELF))).all()
    last = db.session.scalar(db.select(Parcel.sequence).where(Parcel.shelf_id == shelf_id, Parcel.tier == tier)
                             .order_by(Parcel.id.desc()).limit(1)) or 0
    return rules.next_sequence(taken, last)


# The advisory lock's key space for check-ins: this constant plus the store id.
CHECK_IN_LOCK_BASE = 0x50415243_00000000  # "PARC"


def _one_check_in_at_a_time(store_id):
    """Check-ins of one store queue for a moment (a transaction-scoped advisory lock on PostgreSQL;
    SQLite's single writer already does it), so "least full tier" and "next slot number" are
    computed on what the counter before just saved: the shelves fill evenly under load. The unique
    indexes stay the guarantee; this only spares the retries."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHECK_IN_LOCK_BASE + store_id})


def check_in(staff, *, tracking_number, carrier, phone, name="", size="small", note="", now, slot=None):
    """Put a parcel on the shelf: a slot (proposed, or ``slot=(shelf number, tier)``), a label code, a
    pickup code; the resident (matched by phone) is told. Returns ``CheckedIn``.

    Two counters checking in at once may compute the same slot number or code: the partial unique
    indexes refuse the second insert, which is retried (in a savepoint) with fresh values.
    """
    tracking, carrier, e164, size = clean_check_in(tracking_number, carrier, phone, size)
    store_id = staff.store_id
    _one_check_in_at_a_time(store_id)
    if _live_tracking(store_id, tracking) is not None:
        raise errors.DuplicateTracking()
    recipient = db.session.scalar(db.select(User).where(User.phone == e164, User.store_id == store_id,
                                                        User.role == Role.RESIDENT.value))
    for _attempt in range(CHECK_IN_ATTEMPTS):
        shelf, tier = _slot_for(store_id, size, slot)
        sequence = _sequence_on(shelf.id, tier)
        if sequence is None:
            raise errors.ShelvesFull()
        nonce = rules.new_code_nonce()
        code = rules.derive_code(_secret(), nonce)
        parcel = Parcel(store_id=store_id, tracking_number=tracking, carrier=carrier, recipient_phone=e164,
                        recipient_name=(name or "").strip()[:80], recipient_id=recipient.id if recipient else None,
                        size=size, note=(note or "").strip()[:200], status=ParcelStatus.WAITING.value,
                        shelf_id=shelf.id, tier=tier, sequence=sequence,
                        shelf_code=rules.shelf_code(shelf.number, tier, sequence),
                        code_hash=rules.hash_code(_secret(), store_id, code), code_nonce=nonce,
                        checked_in_at=now, checked_in_by=staff.id)
        try:
            with db.session.begin_nested():
                db.session.add(parcel)
        except IntegrityError:
            if _live_tracking(store_id, tracking) is not None:
                raise errors.DuplicateTracking() from None
            continue  # a slot number or a code another counter took a moment ago: try again
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind="checked_in", actor_id=staff.id, at=now,
                                   note=parcel.shelf_code))
        _tell(parcel, "parcel_arrived", "arrived", now, code=code)
        db.session.flush()
        return CheckedIn(parcel, code, recipient is not None)
    raise errors.ShelvesFull()


def _tell(parcel, kind, step, now, **extra):
    """The parcel's recipient (and no one twice for one step): in the inbox if they have an
    account; by SMS through the outbox (the only way for an unregistered number) when a gateway is set."""
    from ..notifications.outbox import queue_sms

    params = {"parcel_id": parcel.id, "carrier": parcel.carrier, "shelf_code": parcel.shelf_code,
              "tail": parcel.tracking_number[-4:], **{k: v for k, v in extra.items() if k != "code"}}
    key = f"parcel:{parcel.id}:{step}:{parcel.code_nonce or ''}" if step in ("arrived", "new_code") \
        else f"parcel:{parcel.id}:{step}"
    if parcel.recipient_id is not None:
        notify(parcel.recipient_id, parcel.store_id, kind, key, params=params, link="/parcels", now=now)
    queue_sms(parcel.store_id, parcel.recipient_phone, kind, key, {**params, **extra}, now,
              registered=parcel.recipient_id is not None)


# ---- the resident's side -----------------------------------------------------------------------------

def _is_mine(user):
    return db.or_(Parcel.recipient_id == user.id, db.and_(Parcel.recipient_id.is_(None),
                                                          Parcel.recipient_phone == user.phone))


def list_for_resident(user, statuses=ON_SHELF + (ParcelStatus.OUT_FOR_DELIVERY.value,)):
    """The resident's own parcels in ``statuses`` (matched by account, or by phone if checked in before
    they registered), oldest first."""
    return db.session.scalars(db.select(Parcel).where(Parcel.store_id == user.store_id, _is_mine(user),
                                                      Parcel.status.in_(statuses))
                              .order_by(Parcel.checked_in_at, Parcel.id)).all()


def history_for_resident(user, limit=30):
    return db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == user.store_id, _is_mine(user),
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
    """Let someone (by phone) collect one of the resident's parcels, or all of them (``parcel_id`` None)."""
    try:
        e164 = account_rules.normalise_phone(proxy_phone or "")
    except account_rules.InvalidPhone:
        raise errors.ProxyInvalid() from None
    if e164 == user.phone:
        raise errors.ProxyInvalid()
    if parcel_id is not None:
        parcel = db.session.scalar(db.select(Parcel).where(Parcel.id == parcel_id, Parcel.store_id == user.store_id,
                                                           _is_mine(user)))
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
    return grant


def list_proxies(user):
    return db.session.scalars(db.select(ParcelProxy).where(ParcelProxy.owner_id == user.id,
                                                           ParcelProxy.revoked_at.is_(None))
                              .order_by(ParcelProxy.id)).all()


def revoke_proxy(user, proxy_id, now):
    revoked = db.session.execute(db.update(ParcelProxy).where(
        ParcelProxy.id == proxy_id, ParcelProxy.owner_id == user.id, ParcelProxy.revoked_at.is_(None))
        .values(revoked_at=now)).rowcount
    if not revoked:
        raise errors.NotYours()


# ---- handover at the counter ---------------------------------------------------------------------

def get_parcel(store_id, parcel_id):
    return db.session.scalar(db.select(Parcel).where(Parcel.id == parcel_id, Parcel.store_id == store_id))


def find_by_code(store_id, code):
    """The parcel on the shelf with this pickup code, or ``CodeUnknown`` (no try is counted: a code
    that matches nothing points at no parcel; guessing is slowed by the counter's rate limit)."""
    if not rules.is_code_shaped(code):
        raise errors.CodeUnknown()
    parcel = db.session.scalar(db.select(Parcel).where(
        Parcel.store_id == store_id, Parcel.code_hash == rules.hash_code(_secret(), store_id, code),
        Parcel.status == ParcelStatus.WAITING.value))
    if parcel is None:
        raise errors.CodeUnknown()
    if parcel.code_misses >= rules.MAX_CODE_MISSES:
        raise errors.CodeLocked()
    return parcel


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
    if rules.is_code_shaped(code) and rules.hash_code(_secret(), store_id, code) == parcel.code_hash:
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
    collectors = [Collector(owner.id if owner else None, owner.name if owner else parcel.recipient_name,
                            parcel.recipient_phone, "recipient")]
    if owner is not None:
        grants = db.session.scalars(db.select(ParcelProxy).where(
            ParcelProxy.owner_id == owner.id, ParcelProxy.revoked_at.is_(None),
            db.or_(ParcelProxy.parcel_id.is_(None), ParcelProxy.parcel_id.in_([p.id for p in same])))).all()
        phones = sorted({g.proxy_phone for g in grants})
        users = {u.phone: u for u in db.session.scalars(db.select(User).where(User.phone.in_(phones)))} if phones else {}
        collectors += [Collector(users[p].id if p in users else None, users[p].name if p in users else "", p, "proxy")
                       for p in phones]
    return same, collectors


def fee_due(store, parcel, now):
    return rules.storage_fee_cents(parcel.checked_in_at, now, fee_rules(store))


def hand_over(staff, store, parcel_ids, *, collector_phone, payment, now):
    """Hand the chosen parcels over; returns ``(parcels, fee_cents)``.

    Each parcel moves waiting -> collected in one guarded UPDATE (its code works once: two counters
    confirming at the same moment give one handover, the other gets ``AlreadyHandedOver``). The
    storage fee is taken from the recipient's wallet, or recorded as cash taken at the counter.
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
                                   note=f"{collector.as_} {collector.phone}" + (f" fee {fee} {payment}" if fee else "")))
    if total and payment == "wallet":
        payer = collectors[0].user_id  # the recipient's account (found by phone for older parcels)
        if payer is None:
            raise errors.FeeUnpaid()
        try:
            wallet.debit(payer, store.id, total, "payment", note="parcel storage fee", actor_id=staff.id, now=now)
        except InsufficientFunds:
            raise errors.FeeUnpaid() from None
    db.session.flush()
    for parcel in parcels:
        db.session.refresh(parcel)
    return parcels, total


def reissue_code(staff, parcel_id, now):
    """A new code for a parcel (after the lock, or on request); the recipient is told the new one."""
    parcel = get_parcel(staff.store_id, parcel_id)
    if parcel is None or parcel.status != ParcelStatus.WAITING.value:
        raise errors.ParcelNotFound()
    for _attempt in range(CHECK_IN_ATTEMPTS):
        nonce = rules.new_code_nonce()
        code = rules.derive_code(_secret(), nonce)
        try:
            with db.session.begin_nested():
                db.session.execute(db.update(Parcel).where(Parcel.id == parcel.id).values(
                    code_nonce=nonce, code_hash=rules.hash_code(_secret(), parcel.store_id, code), code_misses=0))
        except IntegrityError:
            continue
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind="code_reissued", actor_id=staff.id, at=now))
        db.session.flush()
        db.session.refresh(parcel)
        _tell(parcel, "parcel_new_code", "new_code", now, code=code)
        return parcel, code
    raise errors.ParcelError()


# ---- the overdue ladder and returns --------------------------------------------------------------

LADDER_COLUMNS = {"remind_1": "reminded_1_at", "remind_2": "reminded_2_at", "return": "return_listed_at"}
LADDER_KINDS = {"remind_1": "parcel_reminder", "remind_2": "parcel_reminder", "return": "parcel_returning"}


def run_ladder(store, now):
    """One pass of the overdue ladder for a store; returns ``{step: parcels moved}``.

    Idempotent: each step sets its timestamp with a guarded UPDATE (``... IS NULL``) and only the
    run that set it tells the resident, so running twice (or two schedulers) tells nobody twice.
    """
    steps = ladder(store)
    done = {"remind_1": 0, "remind_2": 0, "return": 0}
    parcels = db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == store.id, Parcel.status == ParcelStatus.WAITING.value,
        Parcel.checked_in_at <= now - timedelta(hours=min(steps.first_reminder_h, steps.second_reminder_h)))
        .order_by(Parcel.id)).all()
    for parcel in parcels:
        taken = {step for step, column in LADDER_COLUMNS.items() if getattr(parcel, column) is not None}
        step = rules.due_step(parcel.checked_in_at, now, taken, steps)
        if step is None:
            continue
        values = {LADDER_COLUMNS[step]: now}
        guard = [Parcel.id == parcel.id, getattr(Parcel, LADDER_COLUMNS[step]).is_(None),
                 Parcel.status == ParcelStatus.WAITING.value]
        if step == "return":
            values["status"] = ParcelStatus.RETURN_LISTED.value
        if not db.session.execute(db.update(Parcel).where(*guard).values(**values)).rowcount:
            continue
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind=step, at=now))
        db.session.refresh(parcel)
        _tell(parcel, LADDER_KINDS[step], step, now,
              days_left=rules.days_before_return(parcel.checked_in_at, now, steps),
              fee_cents=rules.storage_fee_cents(parcel.checked_in_at, now, fee_rules(store)))
        done[step] += 1
    db.session.flush()
    return done


def list_return_list(store_id):
    return db.session.scalars(db.select(Parcel).where(Parcel.store_id == store_id,
                                                      Parcel.status == ParcelStatus.RETURN_LISTED.value)
                              .order_by(Parcel.carrier, Parcel.shelf_code)).all()


def mark_returned(staff, parcel_ids, now):
    """The carrier's driver took these parcels back (audit: who, when); returns how many moved."""
    moved = 0
    for parcel_id in sorted(set(parcel_ids)):
        if db.session.execute(db.update(Parcel).where(
                Parcel.id == parcel_id, Parcel.store_id == staff.store_id,
                Parcel.status == ParcelStatus.RETURN_LISTED.value)
                .values(status=ParcelStatus.RETURNED.value, returned_at=now, returned_by=staff.id)).rowcount:
            db.session.add(ParcelEvent(parcel_id=parcel_id, kind="returned", actor_id=staff.id, at=now))
            moved += 1
    if not moved:
        raise errors.AlreadyHandedOver()
    db.session.flush()
    return moved


# ---- "bring it to my door" ------------------------------------------------------------------------

class DoorDeliveryInvalid(errors.ParcelError):
    status = 409
    message = _l("These parcels can no longer be brought to your door (collected, or not yours).")


def door_delivery_quote(user, parcel_ids, now):
    """``(parcels, fee_cents)`` for bringing these waiting parcels of the resident to the door: the
    store's door fee once, plus each parcel's storage fee due now."""
    from ..stores.models import Store

    wanted = sorted({int(p) for p in parcel_ids})
    parcels = db.session.scalars(db.select(Parcel).where(
        Parcel.id.in_(wanted), Parcel.store_id == user.store_id, _is_mine(user),
        Parcel.status == ParcelStatus.WAITING.value).order_by(Parcel.id)).all()
    if not wanted or len(parcels) != len(wanted):
        raise DoorDeliveryInvalid()
    store = db.session.get(Store, user.store_id)
    return parcels, store.parcel_door_fee_cents + sum(fee_due(store, p, now) for p in parcels)


def send_out(parcels, order, user_id, now):
    """The parcels leave the shelf with ``order`` (guarded: still waiting); ``DoorDeliveryInvalid``
    if one was handed over meanwhile (the whole order then rolls back)."""
    for parcel in sorted(parcels, key=lambda p: p.id):
        if not db.session.execute(db.update(Parcel).where(
                Parcel.id == parcel.id, Parcel.status == ParcelStatus.WAITING.value)
                .values(status=ParcelStatus.OUT_FOR_DELIVERY.value, delivery_order_id=order.id)).rowcount:
            raise DoorDeliveryInvalid()
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind="out_for_delivery", actor_id=user_id, at=now,
                                   note=f"order {order.id}"))


def parcels_of_order(order_id):
    return db.session.scalars(db.select(Parcel).where(Parcel.delivery_order_id == order_id)
                              .order_by(Parcel.shelf_code)).all()


@on_finish
def _order_finished(order, status, actor_id, now):
    """Parcels riding on an order: handed over with it, or back on the shelf if it did not arrive."""
    from ..orders.models import OrderStatus

    riding = db.and_(Parcel.delivery_order_id == order.id, Parcel.status == ParcelStatus.OUT_FOR_DELIVERY.value)
    ids = db.session.scalars(db.select(Parcel.id).where(riding)).all()
    if not ids:
        return
    if status == OrderStatus.DELIVERED:
        db.session.execute(db.update(Parcel).where(riding).values(
            status=ParcelStatus.COLLECTED.value, collected_at=now, handed_over_by=actor_id,
            collected_by_id=order.user_id, collected_as="door"))
        kind = "delivered"
    else:
        db.session.execute(db.update(Parcel).where(riding).values(
            status=ParcelStatus.WAITING.value, delivery_order_id=None))
        kind = "back_on_shelf"
    db.session.add_all(ParcelEvent(parcel_id=i, kind=kind, actor_id=actor_id, to_user_id=order.user_id, at=now,
                                   note=f"order {order.id}") for i in ids)


# ---- the counter's check-in pages (queries) ---------------------------------------------------------

def list_checked_in_by(store_id, staff_id, since, limit=100):
    """Parcels ``staff_id`` checked in at or after ``since`` (a batch's running list), newest first."""
    return db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == store_id, Parcel.checked_in_by == staff_id, Parcel.checked_in_at >= since)
        .order_by(Parcel.id.desc()).limit(limit)).all()


# ---- the counter's handover list, reports and the owner's parcel settings --------------------------

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


def load_report_rows(store_id, start_at, end_at):
    """``reports.ParcelRow`` for every parcel of the store checked in, collected or returned in
    ``[start_at, end_at)`` (aware UTC), in id order."""
    from .reports import ParcelRow

    def within(column):
        return db.and_(column >= start_at, column < end_at)
    rows = db.session.execute(
        db.select(Parcel.checked_in_at, Parcel.collected_at, Parcel.collected_as, Parcel.returned_at)
        .where(Parcel.store_id == store_id,
               db.or_(within(Parcel.checked_in_at), within(Parcel.collected_at), within(Parcel.returned_at)))
        .order_by(Parcel.id)).all()
    return [ParcelRow(*row) for row in rows]


def list_waiting_since(store_id):
    """When each parcel waiting on the shelf for its resident was checked in."""
    return db.session.scalars(db.select(Parcel.checked_in_at).where(
        Parcel.store_id == store_id, Parcel.status == ParcelStatus.WAITING.value)).all()


class RemindersOutOfOrder(errors.ParcelError):
    field = "second_reminder_h"
    message = _l("The second reminder must come later than the first.")


class ReturnBeforeReminders(errors.ParcelError):
    field = "return_days"
    message = _l("Parcels may go back to the carrier only after the second reminder.")


def update_settings(store, *, free_days, fee_per_day_cents, first_reminder_h, second_reminder_h, return_days,
                    door_fee_cents):
    """The owner's parcel settings: free days then a fee per day (cents), the reminder ladder (hours
    after check-in; the second after the first, the return after both) and the door-delivery fee."""
    if second_reminder_h <= first_reminder_h:
        raise RemindersOutOfOrder()
    if return_days * 24 <= second_reminder_h:
        raise ReturnBeforeReminders()
    store.parcel_free_days, store.parcel_fee_per_day_cents = free_days, fee_per_day_cents
    store.parcel_first_reminder_h, store.parcel_second_reminder_h = first_reminder_h, second_reminder_h
    store.parcel_return_days, store.parcel_door_fee_cents = return_days, door_fee_cents
    db.session.flush()
    return store


def shelf_codes_of_orders(order_ids):
    """``{order_id: [shelf codes]}`` of the parcels riding on these orders, in one query (the board)."""
    if not order_ids:
        return {}
    codes = {}
    for order_id, code in db.session.execute(
            db.select(Parcel.delivery_order_id, Parcel.shelf_code)
            .where(Parcel.delivery_order_id.in_(sorted(set(order_ids))))
            .order_by(Parcel.delivery_order_id, Parcel.shelf_code)):
        codes.setdefault(order_id, []).append(code)
    return codes
