"""The whole life of a parcel on a real database: check in (slot, label code, pickup code, the
resident told), collect with the code (fee after the free days), a wrong code's lock and re-issue,
a proxy, the overdue ladder with an injected clock (idempotent), return to the carrier, and a
parcel riding along with a 30-minute order."""
from datetime import timedelta

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.notifications.models import Notification, OutboxMessage
from store_app.notifications.outbox import deliver
from store_app.orders.models import OrderStatus
from store_app.parcels import checkin, codes, errors, handover, ladder, residents, rules, shelves
from store_app.parcels.models import Parcel, ParcelEvent
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.fulfilment import moves
from store_app.orders import queries
from tests.conftest import add_shopper, build_shop, fill_cart, new_phone

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def station(app_ctx):
    shop = build_shop(couriers=1)
    resident = add_shopper(shop)
    with transaction():
        staff = User(store_id=shop.store_id, phone=new_phone(), name="Counter", password_hash="x",
                     role=Role.STAFF.value)
        db.session.add(staff)
        shelves.save_shelf(shop.store_id, 1, tiers=3, capacity=4)
        shelves.save_shelf(shop.store_id, 2, tiers=3, capacity=4)
        db.session.flush()
        return shop, resident, staff.id


def staff_of(staff_id):
    return db.session.get(User, staff_id)


def check_in(staff_id, phone, tracking, size="small", now=NOW):
    with transaction():
        done = checkin.check_in(staff_of(staff_id), tracking_number=tracking, carrier="中通快递 ZTO",
                                phone=phone, name="Recipient", size=size, now=now)
        return done.parcel.id, done.code, done.parcel.shelf_code, done.matched


def test_check_in_gives_a_slot_codes_and_tells_the_resident(station):
    shop, resident, staff_id = station
    parcel_id, code, label, matched = check_in(staff_id, resident.phone, "ZT1234567890")
    assert matched and rules.is_code_shaped(code) and rules.parse_shelf_code(label)
    with transaction():
        parcel = db.session.get(Parcel, parcel_id)
        assert parcel.code_hash != code and code not in (parcel.code_nonce or "")  # the code is not stored
        assert codes.pickup_code(parcel) == code
        notes = db.session.scalars(db.select(Notification).where(Notification.user_id == resident.user_id)).all()
        assert [n.kind for n in notes] == ["parcel_arrived"] and code not in str(notes[0].params)
        sms = db.session.scalars(db.select(OutboxMessage)).all()
        assert len(sms) == 1 and code in sms[0].body


def test_the_same_tracking_number_is_refused_until_the_first_went_back(station):
    shop, resident, staff_id = station
    check_in(staff_id, resident.phone, "YT0000000001")
    with pytest.raises(errors.DuplicateTracking):
        check_in(staff_id, resident.phone, "yt0000000001 ")


def test_slots_fill_evenly_and_full_shelves_refuse(station):
    shop, resident, staff_id = station
    labels = [check_in(staff_id, resident.phone, f"SF10000000{i:02d}", size="medium")[2] for i in range(12)]
    assert len(set(labels)) == 12
    tiers = {label.rsplit("-", 1)[0] for label in labels}
    assert len(tiers) == 6  # 2 shelves x 3 tiers, two medium parcels each (4 units)
    with pytest.raises(errors.ShelvesFull):
        check_in(staff_id, resident.phone, "SF1000000099", size="small")


def test_collect_with_the_code_once_with_the_fee_after_the_free_days(station):
    shop, resident, staff_id = station
    parcel_id, code, _, _ = check_in(staff_id, resident.phone, "JD0000000001", now=NOW - timedelta(days=4, hours=1))
    with transaction():
        store = db.session.get(Store, shop.store_id)
        found = handover.find_by_code(shop.store_id, code)
        same, collectors = handover.handover_set(shop.store_id, found)
        assert [p.id for p in same] == [parcel_id] and collectors[0].as_ == "recipient"
        handed, fee = handover.hand_over(staff_of(staff_id), store, [parcel_id], collector_phone=resident.phone,
                                         payment="wallet", now=NOW)
    assert fee == 2 * 100  # days 4 and 5 begun after 3 free days
    with transaction(), pytest.raises(errors.CodeUnknown):
        handover.find_by_code(shop.store_id, code)  # a code works once


def test_five_wrong_codes_lock_it_and_a_reissued_code_works(station, counted_code_nonces):
    shop, resident, staff_id = station
    parcel_id, code, _, _ = check_in(staff_id, resident.phone, "ST0000000001")
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for left in (4, 3, 2, 1):
        with transaction(), pytest.raises(errors.CodeWrong) as caught:
            handover.check_code(shop.store_id, parcel_id, wrong)
        assert caught.value.params["tries_left"] == left
    with transaction(), pytest.raises(errors.CodeLocked):
        handover.check_code(shop.store_id, parcel_id, wrong)
    with transaction(), pytest.raises(errors.CodeLocked):
        handover.check_code(shop.store_id, parcel_id, code)  # even the right one, until re-issued
    with transaction():
        _, new_code = handover.reissue_code(staff_of(staff_id), parcel_id, NOW)
    assert len(counted_code_nonces) == 2 and new_code != code  # a new nonce, and (fixed nonces) a new code
    with transaction(), pytest.raises(errors.CodeUnknown):
        handover.find_by_code(shop.store_id, code)  # the old code finds nothing any more...
    with transaction(), pytest.raises(errors.CodeWrong) as caught:
        handover.check_code(shop.store_id, parcel_id, code)  # ...nor opens the parcel: a miss, counted afresh
    assert caught.value.params["tries_left"] == 4
    with transaction():
        assert handover.find_by_code(shop.store_id, new_code).id == parcel_id
        assert handover.check_code(shop.store_id, parcel_id, new_code).id == parcel_id
        kinds = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == resident.user_id)).all()
        assert "parcel_new_code" in kinds
        texts = db.session.scalars(db.select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
        assert code in texts[0] and new_code in texts[-1] and code not in texts[-1]  # the new code is sent


def test_a_proxy_sees_the_parcel_and_is_recorded_as_the_collector(station):
    shop, resident, staff_id = station
    neighbour = add_shopper(shop, phone=new_phone(), name="Neighbour")
    parcel_id, code, _, _ = check_in(staff_id, resident.phone, "EMS000000001")
    with transaction():
        owner = db.session.get(User, resident.user_id)
        residents.authorise_proxy(owner, neighbour.phone, None, NOW)
        assert [p.id for p in residents.list_for_proxy(db.session.get(User, neighbour.user_id))] == [parcel_id]
        store = db.session.get(Store, shop.store_id)
        _, collectors = handover.handover_set(shop.store_id, handover.find_by_code(shop.store_id, code))
        assert [c.as_ for c in collectors] == ["recipient", "proxy"]
        handover.hand_over(staff_of(staff_id), store, [parcel_id], collector_phone=neighbour.phone,
                           payment="cash", now=NOW)
        parcel = db.session.get(Parcel, parcel_id)
        assert (parcel.collected_as, parcel.collected_by_id) == ("proxy", neighbour.user_id)


def test_the_overdue_ladder_walks_once_per_step(station):
    shop, resident, staff_id = station
    parcel_id, *_ = check_in(staff_id, resident.phone, "YD0000000001", now=NOW)
    steps = []
    for hours in (23, 25, 25, 73, 24 * 7 + 1, 24 * 7 + 2):
        with transaction():
            steps.append(ladder.run_ladder(db.session.get(Store, shop.store_id), NOW + timedelta(hours=hours)))
    assert [sum(s.values()) for s in steps] == [0, 1, 0, 1, 1, 0]
    with transaction():
        kinds = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == resident.user_id)
                                   .order_by(Notification.id)).all()
        assert kinds == ["parcel_arrived", "parcel_reminder", "parcel_reminder", "parcel_returning"]
        assert [p.id for p in ladder.list_return_list(shop.store_id)] == [parcel_id]
        assert ladder.mark_returned(staff_of(staff_id), [parcel_id], NOW + timedelta(days=8)) == 1
        assert db.session.get(Parcel, parcel_id).status == "returned"
    check_in(staff_id, resident.phone, "YD0000000001", now=NOW + timedelta(days=9))  # back again: allowed


def test_a_parcel_rides_along_with_an_order_and_is_collected_at_the_door(station):
    from store_app.orders.checkout import new_idempotency_key, place_order

    shop, resident, staff_id = station
    parcel_id, *_ = check_in(staff_id, resident.phone, "JT0000000001")
    fill_cart(resident.user_id, {shop.products["water"]: 1})
    with transaction():
        user = db.session.get(User, resident.user_id)
        order, created = place_order(user, address_id=resident.address_id, payment_method="wallet",
                                     idempotency_key=new_idempotency_key(), now=utcnow(), parcel_ids=[parcel_id])
        assert created and order.parcel_fee_cents == 300
        order_id = order.id
    with transaction():
        assert db.session.get(Parcel, parcel_id).status == "out"
        order = queries.get_store_order(shop.store_id, order_id)
        for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY):
            moves.move(order, target, actor_id=None, now=utcnow())
        moves.move(order, OrderStatus.CANCELLED, actor_id=None, now=utcnow())
    with transaction():
        assert db.session.get(Parcel, parcel_id).status == "waiting"  # back on the shelf
        events = db.session.scalars(db.select(ParcelEvent.kind).where(ParcelEvent.parcel_id == parcel_id)).all()
        assert events == ["checked_in", "out_for_delivery", "back_on_shelf"]


def test_the_outbox_sends_each_message_once_and_retries_failures(station):
    from store_app.notifications.outbox import SendFailed

    shop, resident, staff_id = station
    check_in(staff_id, resident.phone, "ZT0000000777")

    class Flaky:
        def __init__(self):
            self.sent, self.fail = [], True

        def send(self, message):
            if self.fail:
                self.fail = False
                raise SendFailed("gateway down")
            self.sent.append(message.dedupe_key)

    flaky = Flaky()
    adapters = {"sms": flaky, "log": flaky, "email": flaky}
    assert deliver(NOW, adapters) == "sent 0, retrying 1, failed 0"
    assert deliver(NOW, adapters) == "sent 0, retrying 0, failed 0"  # waiting for its backoff
    assert deliver(NOW + timedelta(minutes=1), adapters) == "sent 1, retrying 0, failed 0"
    assert deliver(NOW + timedelta(hours=1), adapters) == "sent 0, retrying 0, failed 0"
    assert len(flaky.sent) == 1
    with transaction():
        message = db.session.scalar(db.select(OutboxMessage))
        assert message.status == "sent" and not any(ch.isdigit() and ch != "0" for ch in message.body.split("…")[-1][-8:])


def test_parcels_from_before_the_account_count_as_the_residents_own(station):
    """Checked in for a number without an account; the person registers later: the parcel is theirs
    at the counter, on their page and for the proxy they name for all their parcels."""
    shop, resident, staff_id = station
    phone = new_phone()
    parcel_id, code, _, matched = check_in(staff_id, phone, "ZT0000000555")
    assert not matched
    later = add_shopper(shop, phone=phone, name="Newcomer")
    neighbour = add_shopper(shop, phone=new_phone(), name="Neighbour")
    with transaction():
        owner = db.session.get(User, later.user_id)
        assert [p.id for p in residents.list_for_resident(owner)] == [parcel_id]
        residents.authorise_proxy(owner, neighbour.phone, None, NOW)
        assert [p.id for p in residents.list_for_proxy(db.session.get(User, neighbour.user_id))] == [parcel_id]
        same, collectors = handover.handover_set(shop.store_id, handover.find_by_code(shop.store_id, code))
        assert [p.id for p in same] == [parcel_id]
        assert [(c.user_id, c.as_) for c in collectors] == [(later.user_id, "recipient"), (neighbour.user_id, "proxy")]


def test_the_scheduler_runs_the_ladder_per_store_and_the_outbox(app, station):
    from store_app.jobs.registry import periodic_jobs

    shop, resident, staff_id = station
    jobs = {job.name: job for job in periodic_jobs(app)}
    assert f"parcels:ladder:{shop.store_id}" in jobs and "outbox" in jobs
    parcel_id, *_ = check_in(staff_id, resident.phone, "ZT0000000888", now=NOW - timedelta(hours=25))
    summary = jobs[f"parcels:ladder:{shop.store_id}"].fn(now=NOW)
    assert summary.endswith("reminded 1 + 0, listed for return 0")
    assert jobs[f"parcels:ladder:{shop.store_id}"].fn(now=NOW).endswith("reminded 0 + 0, listed for return 0")
    assert jobs["outbox"].fn(now=NOW).startswith("sent 2")  # the arrival and the reminder, by the log adapter


@pytest.mark.parametrize("days, words", [(0, "within a day: please collect it today"), (1, "1 day left"),
                                         (4, "4 days left")])
def test_reminders_say_how_long_is_left_in_words_that_fit(app_ctx, days, words):
    from flask_babel import force_locale

    from store_app.notifications.models import Notification as Note
    from store_app.notifications.outbox import SMS_TEXTS
    from store_app.notifications.presenters import render

    params = {"tail": "1234", "shelf_code": "1-1-001", "days_left": days, "store": "Shop"}
    with force_locale("en"):
        assert words in SMS_TEXTS["parcel_reminder"](params)
        assert words in render(Note(kind="parcel_reminder", params=params))[1]


def test_a_reissued_code_is_never_the_old_one_even_when_a_new_nonce_derives_it(station, monkeypatch):
    """Six digits from a fresh nonce can equal the old ones (one draw in a million): the re-issue draws
    again instead of handing back a code that "changed" to itself."""
    from store_app.parcels import rules as parcel_rules

    shop, resident, staff_id = station
    parcel_id, code, _, _ = check_in(staff_id, resident.phone, "ST0000000002")
    with transaction():
        old_nonce = db.session.get(Parcel, parcel_id).code_nonce
    draws = iter([old_nonce, f"{7:032x}"])  # the first draw derives the very same code
    monkeypatch.setattr(parcel_rules, "new_code_nonce", lambda: next(draws))
    with transaction():
        _, new_code = handover.reissue_code(staff_of(staff_id), parcel_id, NOW)
    assert new_code != code
    with transaction():
        assert handover.check_code(shop.store_id, parcel_id, new_code).id == parcel_id
