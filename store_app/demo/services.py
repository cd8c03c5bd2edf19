"""The demo service marketplace: five categories with their terms, six vetted vendors with crews (some
crew members with their own logins), offerings, weekly availability, and a month of history: jobs
done and reviewed, a few cancelled with fees, a resident not at the door, a vendor who never came
(with the rebooking the store offered), a complaint that led to a free redo, and one vendor on
probation whose reviews put them there. Coming jobs wait for an answer or were accepted for tomorrow.
The vendors' ledgers and the residents' wallets carry the money of all of it.

Idempotent (nothing is added once the store has a vendor) and deterministic (times relative to
``now``). Rows are built in memory and flushed per table, so the seed stays fast.
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from werkzeug.security import generate_password_hash

from services import ledger
from services.categories import ensure_default_categories
from services.booking_models import BookingOffer, Claim, LedgerKind, Review, StandingEvent, VerifiedAddress
from services.models import AvailabilityRule, Crew, Offering, ServiceCategory, Vendor, vendor_zones

from ..accounts.models import Address, User
from ..extensions import db
from ..geo.models import DeliveryZone
from ..roles import Role
from ..wallet import operations as wallet_ops
from . import data
from . import services_data as sd
from .services_past import past_month


@dataclass
class Market:
    """What the seed made so far, for the month's bookings: rows by key, and the bookings planned."""

    store: object
    now: datetime
    staff: object
    residents: list
    categories: dict = field(default_factory=dict)      # slug -> ServiceCategory
    vendors: dict = field(default_factory=dict)         # key -> Vendor
    offerings: dict = field(default_factory=dict)       # key -> [Offering]
    crews: dict = field(default_factory=dict)           # key -> [Crew]
    windows: dict = field(default_factory=dict)         # key -> [(weekday set, start_min, end_min)]
    bookings: list = field(default_factory=list)
    story: dict = field(default_factory=dict)           # booking -> what follows from it (offer, review...)
    addresses: dict = field(default_factory=dict)       # resident id -> their default Address

    @property
    def categories_by_id(self):
        return {c.id: c for c in self.categories.values()}

    @property
    def offering_by_id(self):
        return {o.id: o for offerings in self.offerings.values() for o in offerings}

    @property
    def resident_by_id(self):
        return {r.id: r for r in self.residents}

    @property
    def zone(self):
        return ZoneInfo(self.store.timezone)

    def local(self, days, hour, minute=0):
        """The aware UTC instant ``days`` after today (negative: before) at ``hour:minute``, local time."""
        today = self.now.astimezone(self.zone).date()
        return datetime.combine(today + timedelta(days=days), time(hour, minute), self.zone).astimezone(
            self.now.tzinfo)


def seed_services(store, now):
    """The demo marketplace if the store has no vendor yet; returns what was created."""
    created = {"vendors": 0, "crews": 0, "offerings": 0, "service_bookings": 0, "service_reviews": 0}
    if db.session.scalar(db.select(Vendor.id).where(Vendor.store_id == store.id).limit(1)):
        return created
    phones = [phone for phone, *_names in data.RESIDENTS] + [data.STAFF[0][0]]
    people = {u.phone: u for u in db.session.scalars(db.select(User).where(User.phone.in_(phones)))}
    if any(phone not in people for phone in phones):
        return created
    market = Market(store, now, people[data.STAFF[0][0]], [people[phone] for phone in phones[:-1]])
    market.addresses = {a.user_id: a for a in db.session.scalars(db.select(Address).where(
        Address.user_id.in_([r.id for r in market.residents]), Address.is_default.is_(True)))}
    market.categories = ensure_categories(store)
    _vendors(market)
    past_month(market)
    db.session.add_all(market.bookings)
    db.session.flush()
    _after_the_bookings(market)
    created.update(vendors=len(market.vendors), crews=sum(len(c) for c in market.crews.values()),
                   offerings=sum(len(o) for o in market.offerings.values()),
                   service_bookings=len(market.bookings),
                   service_reviews=sum(1 for b in market.bookings if b.status == "reviewed"))
    return created


def ensure_categories(store):
    """The marketplace's five default categories (the ones the store has are kept): ``{slug: category}``."""
    ensure_default_categories(store.id)
    return {c.slug: c for c in db.session.scalars(db.select(ServiceCategory)
                                                   .where(ServiceCategory.store_id == store.id))}


def _logins(store, market):
    """The vendors' owners and the crew members with a login of their own: ``(owners, crew users)``."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(data.PASSWORD, method=method)

    def login(phone, name, name_en):
        return User(store_id=store.id, phone=phone, name=name, name_en=name_en, password_hash=password_hash,
                    role=Role.VENDOR.value, created_at=market.now - timedelta(days=70))
    owner_specs, crew_specs = sd.vendor_logins()
    owners = [login(*spec) for spec in owner_specs]
    crew_users = {sd.CREW_PHONES.index(spec[0]): login(*spec) for spec in crew_specs}
    db.session.add_all(owners + list(crew_users.values()))
    db.session.flush()
    return owners, crew_users


def _vendors(market):
    """The six vendors with their crews, offerings and weekly availability, approved two months ago."""
    store, now = market.store, market.now
    owners, crew_users = _logins(store, market)
    zones = db.session.scalars(db.select(DeliveryZone.id).where(DeliveryZone.store_id == store.id)
                               .order_by(DeliveryZone.id)).all()
    for spec, owner in zip(sd.VENDORS, owners):
        probation = spec["key"] == sd.PROBATION_VENDOR
        vendor = Vendor(store_id=store.id, owner_id=owner.id, kind=spec["kind"], name=spec["name"], phone=owner.phone,
                        licence_number=spec.get("licence_number", ""), id_number=spec.get("id_number", ""),
                        vetting="approved", vetted_by=market.staff.id, vetted_at=now - timedelta(days=60),
                        standing="probation" if probation else "good", score=spec["score"],
                        min_notice_min=spec["min_notice_min"], created_at=now - timedelta(days=62))
        vendor.categories = [market.categories[slug] for slug in spec["categories"]]
        market.vendors[spec["key"]] = vendor
    db.session.add_all(market.vendors.values())
    db.session.flush()
    db.session.execute(vendor_zones.insert(), [
        {"vendor_id": market.vendors[spec["key"]].id, "zone_id": zones[i]}
        for spec in sd.VENDORS for i in spec["zones"] if i < len(zones)])
    for spec in sd.VENDORS:
        _crews_offerings_hours(market, spec, crew_users)
    db.session.flush()


def _crews_offerings_hours(market, spec, crew_users):
    vendor = market.vendors[spec["key"]]
    market.crews[spec["key"]] = [Crew(vendor_id=vendor.id, label=label,
                                      user_id=crew_users[index].id if index is not None else None)
                                 for label, index, _name, _name_en in spec["crews"]]
    market.offerings[spec["key"]] = [
        Offering(vendor_id=vendor.id, category_id=market.categories[slug].id, title_zh=title_zh, title_en=title_en,
                 description_zh=description_zh, description_en=description_en, duration_min=duration,
                 buffer_before_min=before, buffer_after_min=after, price_model=model, price_cents=price,
                 created_at=market.now - timedelta(days=58))
        for slug, title_zh, title_en, description_zh, description_en, duration, before, after, model, price
        in spec["offerings"]]
    rules = [AvailabilityRule(vendor_id=vendor.id, rrule=f"FREQ=WEEKLY;BYDAY={byday}", start_min=start,
                              end_min=end, crews=crews) for byday, start, end, crews in spec["availability"]]
    days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    market.windows[spec["key"]] = [({days.index(d) for d in byday.split(",")}, start, end)
                                   for byday, start, end, _crews in spec["availability"]]
    db.session.add_all(market.crews[spec["key"]] + market.offerings[spec["key"]] + rules)


def _after_the_bookings(market):
    """What follows from the bookings once they have ids: offers, reviews, the redo claim, the
    probation, verified addresses for lockouts, the vendors' ledgers and the residents' wallets."""
    offers, reviews = [], []
    for booking, story in market.story.items():
        if "offer" in story:
            state, offered_at, answer_by_at, answered_at = story["offer"]
            offers.append(BookingOffer(booking_id=booking.id, vendor_id=booking.vendor_id, state=state,
                                       offered_at=offered_at, answer_by_at=answer_by_at, answered_at=answered_at))
        if story.get("stars"):
            reply = story.get("reply")
            reviews.append(Review(booking_id=booking.id, vendor_id=booking.vendor_id, resident_id=booking.resident_id,
                                  stars=story["stars"], text=story["text"], reply=reply,
                                  replied_at=booking.completed_at + timedelta(hours=20) if reply else None,
                                  created_at=booking.completed_at + timedelta(hours=2)))
    db.session.add_all(offers + reviews + _redo_claim(market) + [_probation(market, reviews)]
                       + _verified_addresses(market))
    db.session.flush()
    _ledgers(market)
    _wallets(market)


def _redo_claim(market):
    """The complaint that led to a free redo: upheld, decided before its deadline, the redo booked."""
    redo = next(b for b, story in market.story.items() if "redo_of" in story)
    original, story = market.story[redo]["redo_of"], market.story[redo]
    redo.redo_of_id = original.id
    return [Claim(booking_id=original.id, resident_id=original.resident_id, vendor_id=original.vendor_id, kind="redo",
                  text=story["claim"], status="redo", decide_by_at=story["claimed_at"] + timedelta(days=2),
                  decision_note=sd.REDO_DECISION, redo_booking_id=redo.id, upheld=True, decided_by=market.staff.id,
                  decided_at=redo.requested_at, created_at=story["claimed_at"])]


def _probation(market, reviews):
    """The probation vendor's standing event: their reviews' mean is under the rule's limit."""
    vendor = market.vendors[sd.PROBATION_VENDOR]
    stars = [r.stars for r in reviews if r.vendor_id == vendor.id]
    since = market.now - timedelta(days=2)
    vendor.standing_reason, vendor.standing_since_at = "low_rating", since
    vendor.probation_until_at = since + timedelta(days=sd.PROBATION_DAYS)
    return StandingEvent(vendor_id=vendor.id, from_standing="good", to_standing="probation", reason="low_rating",
                         params={"value": round(sum(stars) / len(stars), 2), "limit": sd.MIN_RATING,
                                 "count": len(stars)}, created_at=since)


def _verified_addresses(market):
    """Residents who had a lockout opened: staff had confirmed their address before."""
    lockouts = {b.address_id: b for b, story in market.story.items() if story.get("lockout")}
    return [VerifiedAddress(address_id=address_id, verified_by=market.staff.id,
                            verified_at=min(b.created_at for b in market.bookings if b.address_id == address_id)
                            - timedelta(days=1)) for address_id in sorted(lockouts)]


def _ledgers(market):
    """Each completed job's money (a redo earns nothing: it is free) and each fee passed to the vendor."""
    for booking in market.bookings:
        if booking.status in ("completed", "reviewed") and booking.redo_of_id is None:
            ledger.record_completion(booking, now=booking.completed_at)
        elif booking.fee_cents:
            ledger.post(booking.vendor_id, LedgerKind.FEE_SHARE, booking.fee_cents, now=booking.ended_at,
                        booking_id=booking.id, note="cancellation fee")


def _wallets(market):
    """Residents who paid from the wallet topped it up at the counter before the month; each booking's
    hold was taken at booking, and what was not kept went back when it ended."""
    paid = [b for b in market.bookings if b.held_cents]
    top_ups = {}
    for booking in paid:
        top_ups[booking.resident_id] = top_ups.get(booking.resident_id, 0) + booking.held_cents
    for user_id, amount in sorted(top_ups.items()):
        wallet_ops.credit(user_id, market.store.id, amount, "topup", now=market.now - timedelta(days=32),
                          actor_id=market.staff.id)
    for booking in sorted(paid, key=lambda b: (b.requested_at, b.id)):
        wallet_ops.debit(booking.resident_id, market.store.id, booking.held_cents, "payment",
                         now=booking.requested_at, note_key="service_booking")
        refund = booking.held_cents - booking.fee_cents
        if booking.status in ("cancelled", "no_show", "vendor_no_show") and refund > 0:
            wallet_ops.credit(booking.resident_id, market.store.id, refund, "refund", now=booking.ended_at,
                              note_key="service_refund", note_params={"booking_id": booking.id})
