"""The parcel station under real concurrency on PostgreSQL: threads released together by a barrier,
each with its own app context (its own session and connection). Two counters redeeming one code at
the same moment (through the pages, and through the operation), and fifty check-ins at once never
sharing a slot or a code.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from collections import Counter
from datetime import timedelta

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.parcels import checkin, errors, handover, shelves
from store_app.parcels.models import Parcel, ParcelEvent
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet import operations as wallet_ops
from tests.concurrency.helpers import run_together
from tests.conftest import AuthActions, add_shopper, build_shop, csrf_token, new_phone

pytestmark = pytest.mark.postgres
POOL_SIZE = 60  # a connection for every thread at once (tests/concurrency/conftest.py)

HANDOVER = "/console/parcels/handover"
BALANCE = 5_000


def add_staff(store_id, count):
    """``count`` staff members of the store (password ``PASSWORD``): their ``(id, phone)``."""
    from werkzeug.security import generate_password_hash

    from tests.conftest import PASSWORD

    hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    with transaction():
        people = [User(store_id=store_id, phone=new_phone(), name=f"Counter {i}", password_hash=hashed,
                       role=Role.STAFF.value) for i in range(count)]
        db.session.add_all(people)
        db.session.flush()
        return [(p.id, p.phone) for p in people]


@pytest.fixture
def station(app):
    """A shop with three shelves (4 tiers x 20 units), a resident with ¥50.00 and two staff members."""
    with app.app_context():
        shop = build_shop(couriers=0)
        resident = add_shopper(shop, balance_cents=BALANCE)
        staff = add_staff(shop.store_id, 2)
        with transaction():
            for number in (1, 2, 3):
                shelves.save_shelf(shop.store_id, number, tiers=4, capacity=20)
    return shop, resident, staff


def check_in(app, staff_id, phone, tracking, ago=timedelta(0)):
    with app.app_context(), transaction():
        done = checkin.check_in(db.session.get(User, staff_id), tracking_number=tracking, carrier="中通快递 ZTO",
                                phone=phone, now=utcnow() - ago)
        return done.parcel.id, done.code


def handovers_of(app, parcel_id):
    with app.app_context():
        parcel = db.session.get(Parcel, parcel_id)
        events = db.session.scalars(db.select(ParcelEvent).where(ParcelEvent.parcel_id == parcel_id,
                                                                 ParcelEvent.kind == "handed_over")).all()
        return parcel.status, parcel.handed_over_by, len(events)


def test_two_counters_confirming_one_code_at_once_give_one_handover_and_a_clean_409(app, station):
    shop, resident, staff = station
    # Four days and an hour on the shelf: a ¥2.00 fee, taken from the wallet once.
    parcel_id, code = check_in(app, staff[0][0], resident.phone, "ZT1000000001", ago=timedelta(days=4, hours=1))
    counters = []
    for _, phone in staff:
        client = app.test_client()
        assert AuthActions(client).login(phone).status_code == 302
        token = csrf_token(client, HANDOVER)
        found = client.post(HANDOVER, data={"code": code, "csrf_token": token})
        assert found.status_code == 200
        ticket = found.get_data(as_text=True).split('name="ticket" value="')[1].split('"')[0]
        counters.append((client, {"csrf_token": token, "ticket": ticket, "parcel_id": str(parcel_id),
                                  "collector": resident.phone, "payment": "wallet"}))

    def work(i, barrier):
        client, data = counters[i]
        barrier.wait()
        return client.post(f"{HANDOVER}/confirm", data=data).status_code

    results = run_together(2, work)
    assert sorted(results) == [303, 409], results
    status, handed_by, events = handovers_of(app, parcel_id)
    winner = staff[results.index(303)][0]
    assert (status, handed_by, events) == ("collected", winner, 1)
    with app.app_context():
        assert wallet_ops.get_balance(resident.user_id) == BALANCE - 200
        assert wallet_ops.ledger_sum(resident.user_id) == BALANCE - 200


def test_ten_redemptions_of_one_code_through_the_operation_give_one_handover(app, station):
    shop, resident, staff = station
    parcel_id, code = check_in(app, staff[0][0], resident.phone, "ZT1000000002")

    def work(i, barrier):
        with app.app_context():
            clerk = db.session.get(User, staff[i % 2][0])
            store = db.session.get(Store, shop.store_id)
            found = handover.find_by_code(shop.store_id, code)
            ids = [p.id for p in handover.handover_set(shop.store_id, found)[0]]
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            with transaction():
                return handover.hand_over(clerk, store, ids, collector_phone=resident.phone, payment="cash",
                                          now=utcnow())[0][0].id

    results = run_together(10, work)
    assert results.count(parcel_id) == 1, results
    assert all(isinstance(r, errors.AlreadyHandedOver) and r.status == 409 for r in results if r != parcel_id), results
    assert handovers_of(app, parcel_id)[0::2] == ("collected", 1)


def test_fifty_check_ins_at_once_never_share_a_slot_or_a_code(app, station):
    shop, resident, staff = station
    phones = [resident.phone] + [new_phone() for _ in range(9)]

    def work(i, barrier):
        with app.app_context():
            clerk = db.session.get(User, staff[i % 2][0])
            db.session.commit()
            barrier.wait()
            with transaction():
                done = checkin.check_in(clerk, tracking_number=f"RACE{i:08d}", carrier="韵达快递 Yunda",
                                        phone=phones[i % len(phones)], now=utcnow())
                return done.parcel.id, done.code

    results = run_together(50, work)
    failures = [r for r in results if isinstance(r, Exception)]
    assert failures == [], failures
    assert len({code for _, code in results}) == 50
    with app.app_context():
        rows = db.session.execute(db.select(Parcel.shelf_id, Parcel.tier, Parcel.sequence, Parcel.code_hash,
                                            Parcel.shelf_code).where(Parcel.store_id == shop.store_id)).all()
    assert len(rows) == 50
    slots = Counter((shelf, tier, sequence) for shelf, tier, sequence, _, _ in rows)
    assert max(slots.values()) == 1, [slot for slot, n in slots.items() if n > 1]
    assert len({row.code_hash for row in rows}) == 50 and len({row.shelf_code for row in rows}) == 50
