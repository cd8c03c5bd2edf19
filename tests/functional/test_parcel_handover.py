"""The parcel counter through the test client: handover by code (shelf codes and fees shown first,
the recipient or a proxy collects, cash or wallet), the label path with its five tries and re-issued
code, the rate limit on codes, the return list, reports (page and CSV) on an injected clock, the
owner's parcel settings, and who may open these pages at all."""
import csv
import html
import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.parcels import checkin, codes, ladder, residents, shelves
from store_app.parcels.models import Parcel, ParcelEvent
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet.models import WalletEntry
from store_app.wallet.operations import get_balance

from .conftest import input_value, post_form

HANDOVER = "/console/parcels/handover"
CONFIRM = "/console/parcels/handover/confirm"
RETURNS = "/console/parcels/returns"
REPORTS = "/console/parcels/reports"
SETTINGS = "/console/parcels/settings"
TZ = ZoneInfo("Asia/Shanghai")
NO_SUCH_CODE = "No parcel is waiting with this code. Check the six digits with the resident."


@pytest.fixture
def station(app, create_shop, create_shopper, create_user, login_client):
    """A shop with two shelves, a resident (¥10.00 in the wallet) and a logged-in staff member (English)."""
    shop = create_shop()
    resident = create_shopper(shop, balance_cents=1_000, name="Lin Resident")
    staff_id, staff_phone = create_user(shop.store_id, Role.STAFF, name="Counter Clerk")
    with app.app_context(), transaction():
        shelves.save_shelf(shop.store_id, 1, tiers=3, capacity=10)
        shelves.save_shelf(shop.store_id, 2, tiers=3, capacity=10)
    staff = login_client(staff_phone)
    staff.set_cookie("lang", "en")
    return shop, resident, staff_id, staff


def check_in(app, staff_id, phone, tracking, *, ago=timedelta(0), carrier="中通快递 ZTO"):
    """Check a parcel in ``ago`` before now: ``(parcel id, pickup code, shelf code)``."""
    with app.app_context(), transaction():
        done = checkin.check_in(db.session.get(User, staff_id), tracking_number=tracking, carrier=carrier,
                                phone=phone, name="Recipient", now=utcnow() - ago)
        return done.parcel.id, done.code, done.parcel.shelf_code


def page(response):
    return html.unescape(response.get_data(as_text=True))


def look_up(client, code):
    return post_form(client, HANDOVER, {"code": code}, token_from=HANDOVER)


def confirm(client, found, parcel_ids, collector, payment="cash"):
    data = {"ticket": input_value(found, "ticket"), "parcel_id": [str(i) for i in parcel_ids],
            "collector": collector, "payment": payment}
    return post_form(client, CONFIRM, data, token_from=HANDOVER)


def parcel_row(app, parcel_id):
    with app.app_context():
        parcel = db.session.get(Parcel, parcel_id)
        return {c.key: getattr(parcel, c.key) for c in Parcel.__table__.columns}


def events(app, parcel_id, kind):
    with app.app_context():
        return [(e.actor_id, e.to_user_id) for e in db.session.scalars(db.select(ParcelEvent).where(
            ParcelEvent.parcel_id == parcel_id, ParcelEvent.kind == kind))]


def wrong(code):
    return f"{(int(code) + 1) % 10 ** 6:06d}"


# ---- handover by code ----------------------------------------------------------------------------

def test_the_code_shows_every_waiting_parcel_with_shelf_codes_and_fees_then_hands_over(app, station):
    shop, resident, staff_id, staff = station
    old_id, code, old_label = check_in(app, staff_id, resident.phone, "ZT0000000001", ago=timedelta(days=5, hours=1))
    new_id, _, new_label = check_in(app, staff_id, resident.phone, "ZT0000000002")
    other_id, _, other_label = check_in(app, staff_id, "+8613912345678", "ZT0000000003")

    found = look_up(staff, code)
    assert found.status_code == 200
    text = page(found)
    assert old_label in text and new_label in text and other_label not in text
    assert "¥3.00" in text and "Free" in text  # 6 days begun, 3 free: 3 x ¥1.00
    assert "Lin Resident" in text

    done = confirm(staff, found, [old_id, new_id], resident.phone, "cash")
    assert done.status_code == 303 and done.headers["Location"] == HANDOVER
    back = page(staff.get(HANDOVER))
    assert "2 parcels handed over." in back and "Storage fee ¥3.00 taken in cash." in back
    assert "Handed over today" in back and old_label in back and "Counter Clerk" in back

    for parcel_id, fee, paid_with in ((old_id, 300, "cash"), (new_id, 0, None)):
        row = parcel_row(app, parcel_id)
        assert (row["status"], row["handed_over_by"], row["collected_by_id"], row["collected_as"]) == (
            "collected", staff_id, resident.user_id, "recipient")
        assert (row["fee_cents"], row["fee_paid_with"]) == (fee, paid_with) and row["collected_at"] is not None
        assert events(app, parcel_id, "handed_over") == [(staff_id, resident.user_id)]
    assert parcel_row(app, other_id)["status"] == "waiting"
    assert get_balance_of(app, resident.user_id) == 1_000  # cash: the wallet is untouched

    again = look_up(staff, code)
    assert again.status_code == 404  # a code works once


def get_balance_of(app, user_id):
    with app.app_context():
        return get_balance(user_id)


def test_a_proxy_collecting_is_recorded_as_the_proxy(app, station, create_shopper):
    shop, resident, staff_id, staff = station
    neighbour = create_shopper(shop, name="Wang Neighbour")
    parcel_id, code, label = check_in(app, staff_id, resident.phone, "YT0000000001")
    with app.app_context(), transaction():
        residents.authorise_proxy(db.session.get(User, resident.user_id), neighbour.phone, None, utcnow())

    found = look_up(staff, code)
    assert found.status_code == 200 and "Wang Neighbour" in page(found)
    assert confirm(staff, found, [parcel_id], neighbour.phone).status_code == 303
    row = parcel_row(app, parcel_id)
    assert (row["collected_as"], row["collected_by_id"]) == ("proxy", neighbour.user_id)
    assert events(app, parcel_id, "handed_over") == [(staff_id, neighbour.user_id)]
    today = page(staff.get(HANDOVER))
    assert "Wang Neighbour" in today and "proxy" in today


def test_nothing_ticked_or_a_forged_ticket_changes_nothing(app, station):
    shop, resident, staff_id, staff = station
    parcel_id, code, label = check_in(app, staff_id, resident.phone, "ST0000000001")
    found = look_up(staff, code)
    nothing = confirm(staff, found, [], resident.phone)
    assert nothing.status_code == 400 and "Tick the parcels you are handing over." in page(nothing)
    assert label in page(nothing)  # the parcels are still on the page
    forged = post_form(staff, CONFIRM, {"ticket": "forged", "parcel_id": str(parcel_id),
                                        "collector": resident.phone}, token_from=HANDOVER)
    assert forged.status_code == 400
    assert parcel_row(app, parcel_id)["status"] == "waiting"


def test_an_unknown_code_is_404_with_the_typed_value_kept(app, station, create_shop, create_user, login_client):
    shop, resident, staff_id, staff = station
    _, code, _ = check_in(app, staff_id, resident.phone, "EMS000000001")
    typed = wrong(code)[:3] + " " + wrong(code)[3:]
    response = look_up(staff, typed)
    assert response.status_code == 404
    assert "No parcel is waiting with this code. Check the six digits with the resident." in page(response)
    assert input_value(response, "code") == typed
    # Another store's counter does not find it either.
    elsewhere = create_shop(name="Other Store", lat=31.3, lon=121.5)
    _, other_phone = create_user(elsewhere.store_id, Role.STAFF)
    assert look_up(login_client(other_phone), code).status_code == 404


def test_the_wallet_pays_the_fee_and_a_short_wallet_changes_nothing(app, station, create_shopper):
    shop, resident, staff_id, staff = station
    parcel_id, code, _ = check_in(app, staff_id, resident.phone, "JD0000000001", ago=timedelta(days=4, hours=1))
    found = look_up(staff, code)
    assert "¥2.00" in page(found)
    assert confirm(staff, found, [parcel_id], resident.phone, "wallet").status_code == 303
    assert "Storage fee ¥2.00 paid from the wallet." in page(staff.get(HANDOVER))
    assert get_balance_of(app, resident.user_id) == 800
    with app.app_context():
        entry = db.session.scalar(db.select(WalletEntry).where(WalletEntry.user_id == resident.user_id)
                                  .order_by(WalletEntry.id.desc()).limit(1))
        assert (entry.reason, entry.amount_cents) == ("payment", -200)
    assert parcel_row(app, parcel_id)["fee_paid_with"] == "wallet"

    poor = create_shopper(shop, balance_cents=100)
    poor_id, poor_code, _ = check_in(app, staff_id, poor.phone, "JD0000000002", ago=timedelta(days=4, hours=1))
    found = look_up(staff, poor_code)
    refused = confirm(staff, found, [poor_id], poor.phone, "wallet")
    assert refused.status_code == 409
    assert "The wallet does not cover the storage fee: take cash instead." in page(refused)
    assert re.search(r'value="wallet"[^>]*checked', page(refused))  # what staff chose is kept
    assert re.search(rf'value="{poor_id}"[^>]*checked', page(refused))
    row = parcel_row(app, poor_id)
    assert (row["status"], row["collected_at"], row["fee_cents"]) == ("waiting", None, 0)
    assert get_balance_of(app, poor.user_id) == 100 and events(app, poor_id, "handed_over") == []
    # Cash still works for the same parcel.
    assert confirm(staff, refused, [poor_id], poor.phone, "cash").status_code == 303
    assert parcel_row(app, poor_id)["fee_paid_with"] == "cash"


# ---- the label path, the lock and a re-issued code -------------------------------------------------

def test_label_then_code_wrong_tries_lock_and_a_reissued_code_works(app, station, counted_code_nonces):
    shop, resident, staff_id, staff = station
    parcel_id, code, label = check_in(app, staff_id, resident.phone, "SF0000000001")
    by_label = post_form(staff, f"{HANDOVER}/label", {"label": label}, token_from=HANDOVER)
    assert by_label.status_code == 303 and by_label.headers["Location"] == f"{HANDOVER}/parcels/{parcel_id}"
    by_tracking = post_form(staff, f"{HANDOVER}/label", {"label": "sf0000000001"}, token_from=HANDOVER)
    assert by_tracking.headers["Location"] == f"{HANDOVER}/parcels/{parcel_id}"
    assert label in page(staff.get(by_label.headers["Location"]))

    check = f"{HANDOVER}/parcels/{parcel_id}/check"
    for left in (4, 3, 2, 1):
        response = post_form(staff, check, {"code": wrong(code)}, token_from=HANDOVER)
        assert response.status_code == 400
        expected = "1 try left." if left == 1 else f"{left} tries left."
        assert f"Wrong code for this parcel. {expected}" in page(response)
        assert input_value(response, "code") == wrong(code)
    locked = post_form(staff, check, {"code": wrong(code)}, token_from=HANDOVER)
    assert locked.status_code == 423 and "locked after 5 wrong tries" in page(locked)
    assert f"{HANDOVER}/parcels/{parcel_id}/reissue" in page(locked)
    assert post_form(staff, check, {"code": code}, token_from=HANDOVER).status_code == 423  # even the right one
    # Typed without the label, a locked parcel's right code looks exactly like a code of no parcel:
    # the answer never tells a guesser that the code exists.
    locked_code, unknown_code = look_up(staff, code), look_up(staff, "000000" if code != "000000" else "111111")
    assert locked_code.status_code == unknown_code.status_code == 404
    assert NO_SUCH_CODE in page(locked_code) and NO_SUCH_CODE in page(unknown_code)
    assert "locked" not in page(locked_code)
    assert parcel_row(app, parcel_id)["code_misses"] == 5

    reissued = post_form(staff, f"{HANDOVER}/parcels/{parcel_id}/reissue", token_from=HANDOVER)
    assert reissued.status_code == 303
    with app.app_context():
        new_code = codes.pickup_code(db.session.get(Parcel, parcel_id))
        kinds = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == resident.user_id)).all()
    assert "parcel_new_code" in kinds and new_code != code
    assert new_code not in page(staff.get(reissued.headers["Location"]))  # staff never see it
    assert look_up(staff, code).status_code == 404  # the old code no longer works
    found = post_form(staff, check, {"code": new_code}, token_from=HANDOVER)
    assert found.status_code == 200 and label in page(found)
    assert confirm(staff, found, [parcel_id], resident.phone).status_code == 303
    assert parcel_row(app, parcel_id)["status"] == "collected"


def test_an_unknown_label_is_404_with_the_typed_value_kept(app, station):
    _, _, _, staff = station
    response = post_form(staff, f"{HANDOVER}/label", {"label": "9-9-999"}, token_from=HANDOVER)
    assert response.status_code == 404
    assert "No parcel waiting on the shelf has this label or tracking number." in page(response)
    assert input_value(response, "label") == "9-9-999"


def test_code_entry_is_rate_limited_per_staff_member(app, station, create_user, login_client):
    shop, resident, staff_id, staff = station
    _, code, _ = check_in(app, staff_id, resident.phone, "YD0000000001")
    app.config["PARCEL_CODE_LIMIT"] = "3 per minute"
    assert [look_up(staff, wrong(code)).status_code for _ in range(3)] == [404, 404, 404]
    limited = look_up(staff, code)
    assert limited.status_code == 429
    assert "Too many codes tried in a minute." in page(limited) and input_value(limited, "code") == code
    _, colleague_phone = create_user(shop.store_id, Role.STAFF)
    assert look_up(login_client(colleague_phone), code).status_code == 200  # per staff member


def test_codes_that_match_no_parcel_pause_code_entry_and_tell_the_owner(app, station, create_user, login_client):
    shop, resident, staff_id, staff = station
    _, code, label = check_in(app, staff_id, resident.phone, "YD0000000002")
    _, owner_phone = create_user(shop.store_id, Role.OWNER)
    app.config["PARCEL_CODE_MISSES_PER_STAFF"] = "4 per 10 minutes"
    assert [look_up(staff, wrong(code)).status_code for _ in range(3)] == [404] * 3
    assert look_up(staff, code).status_code == 200, "a right code is not a miss and does not count"
    assert look_up(staff, wrong(code)).status_code == 404  # the fourth miss
    paused = look_up(staff, code)
    assert paused.status_code == 429 and "code entry pauses for a few minutes" in page(paused)
    assert input_value(paused, "code") == code
    owner = login_client(owner_phone)
    inbox = page(owner.get("/inbox", headers={"Accept-Language": "en"}))
    assert "Pickup codes that match no parcel" in inbox
    look_up(staff, code)  # still paused: the owner is told once, not at every try
    with app.app_context():
        told = db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.kind == "parcel_code_misses"))
    assert told == 1
    # Scanning the label still works while code entry is paused.
    by_label = post_form(staff, f"{HANDOVER}/label", {"label": label}, token_from=HANDOVER)
    assert by_label.status_code == 303


def test_codes_that_match_no_parcel_are_counted_per_store_too(app, station, create_user, login_client):
    shop, resident, staff_id, staff = station
    _, code, _ = check_in(app, staff_id, resident.phone, "YD0000000003")
    app.config["PARCEL_CODE_MISSES_PER_STORE"] = "5 per hour"
    _, colleague_phone = create_user(shop.store_id, Role.STAFF)
    colleague = login_client(colleague_phone)
    assert [look_up(staff, wrong(code)).status_code for _ in range(3)] == [404] * 3
    assert [look_up(colleague, wrong(code)).status_code for _ in range(2)] == [404] * 2
    assert look_up(colleague, code).status_code == 429, "the store's misses add up across its staff"
    assert look_up(login_client(create_user(shop.store_id, Role.STAFF)[1]), code).status_code == 429


# ---- the return list ------------------------------------------------------------------------------

def test_the_return_list_by_carrier_and_handing_back(app, station):
    shop, resident, staff_id, staff = station
    zto, _, zto_label = check_in(app, staff_id, resident.phone, "ZT0000000009", ago=timedelta(days=8))
    yto, _, yto_label = check_in(app, staff_id, resident.phone, "YT0000000009", ago=timedelta(days=8),
                                 carrier="圆通速递 YTO")
    with app.app_context(), transaction():
        assert ladder.run_ladder(db.session.get(Store, shop.store_id), utcnow())["return"] == 2
    listed = page(staff.get(RETURNS))
    # an older combined name is stored as the carrier's key and shown in the page's language
    assert "ZTO Express" in listed and "YTO Express" in listed and zto_label in listed and yto_label in listed

    nothing = post_form(staff, RETURNS, {}, token_from=RETURNS)
    assert nothing.status_code == 400
    done = post_form(staff, RETURNS, {"parcel_id": str(zto)}, token_from=RETURNS)
    assert done.status_code == 303
    assert "1 parcel handed back to the carrier." in page(staff.get(RETURNS))
    row = parcel_row(app, zto)
    assert (row["status"], row["returned_by"]) == ("returned", staff_id) and row["returned_at"] is not None
    assert events(app, zto, "returned") == [(staff_id, None)]
    assert parcel_row(app, yto)["status"] == "return"
    listed = page(staff.get(RETURNS))
    assert zto_label not in listed and yto_label in listed
    assert post_form(staff, RETURNS, {"parcel_id": str(zto)}, token_from=RETURNS).status_code == 409


# ---- reports --------------------------------------------------------------------------------------

def at_local(day, hour):
    return datetime.combine(day, time(hour), tzinfo=TZ)


def test_reports_page_and_csv_for_a_known_set_of_parcels(app, station):
    shop, resident, staff_id, staff = station
    today = utcnow().astimezone(TZ).date()
    d2, d1 = today - timedelta(days=2), today - timedelta(days=1)
    ids = [check_in(app, staff_id, resident.phone, f"RP000000000{i}")[0] for i in range(5)]
    steps = [  # checked in, collected, as, returned, status
        (at_local(d2, 10), at_local(d2, 14), "recipient", None, "collected"),  # 4 h
        (at_local(d2, 11), at_local(d1, 11), "door", None, "collected"),       # 24 h, at the door
        (at_local(d1, 9), None, None, at_local(d1, 20), "returned"),
        (at_local(d1, 12), None, None, None, "waiting"),
        (at_local(today - timedelta(days=10), 9), None, None, None, "waiting"),  # overdue, outside the period
    ]
    with app.app_context(), transaction():
        for parcel_id, (checked_in, collected, as_, returned, status) in zip(ids, steps):
            db.session.execute(db.update(Parcel).where(Parcel.id == parcel_id).values(
                checked_in_at=checked_in, collected_at=collected, collected_as=as_, returned_at=returned,
                status=status))
    query = f"?start={d2.isoformat()}&end={d1.isoformat()}"
    response = staff.get(REPORTS + query)
    assert response.status_code == 200
    text = page(response)
    for stat, value in (("checked_in", "4"), ("collected", "2"), ("at_door", "1"), ("returned", "1"),
                        ("avg_dwell", "14.0 h"), ("p90_dwell", "24.0 h"), ("overdue", "1")):
        assert f'data-stat="{stat}">{value}<' in text, stat

    download = staff.get(REPORTS + ".csv" + query)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0][:2] == ["date", "checked_in"]
    assert rows[1] == [d2.isoformat(), "2", "1", "0", "0", "1", "4.0", "4.0"]
    assert rows[2] == [d1.isoformat(), "2", "1", "1", "1", "1", "24.0", "24.0"]
    assert rows[3] == ["total", "4", "2", "1", "1", "2", "14.0", "24.0"]
    assert ["overdue_now", "1"] in rows
    assert ["all", "2", "60", "3"] in rows  # two small parcels on 2 shelves x 3 tiers x 10 units


def test_reports_default_to_fourteen_days_and_refuse_a_bad_period(app, station):
    _, _, _, staff = station
    default = page(staff.get(REPORTS))
    today = utcnow().astimezone(TZ).date()
    assert f'value="{(today - timedelta(days=13)).isoformat()}"' in default
    assert f'value="{today.isoformat()}"' in default
    backwards = staff.get(f"{REPORTS}?start=2026-11-10&end=2026-11-01")
    assert backwards.status_code == 400 and "The first day must not be after the last day." in page(backwards)
    assert input_value(backwards, "start") == "2026-11-10"
    garbled = staff.get(f"{REPORTS}.csv?start=2026-13-01")
    assert garbled.status_code == 400 and "year-month-day" in page(garbled)


# ---- the owner's parcel settings ------------------------------------------------------------------

SETTINGS_FORM = {"free_days": "5", "fee_per_day": "1.5", "first_reminder_h": "12", "second_reminder_h": "48",
                 "return_days": "10", "door_fee": "2.50"}


def store_settings(app, store_id):
    with app.app_context():
        store = db.session.get(Store, store_id)
        return (store.parcel_free_days, store.parcel_fee_per_day_cents, store.parcel_first_reminder_h,
                store.parcel_second_reminder_h, store.parcel_return_days, store.parcel_door_fee_cents)


def test_the_owner_edits_the_parcel_settings_and_staff_may_not(app, station, create_user, login_client):
    shop, _, _, staff = station
    _, owner_phone = create_user(shop.store_id, Role.OWNER)
    owner = login_client(owner_phone)
    owner.set_cookie("lang", "en")
    form = owner.get(SETTINGS)
    assert form.status_code == 200
    assert input_value(form, "free_days") == "3" and input_value(form, "fee_per_day") == "1.00"
    saved = post_form(owner, SETTINGS, SETTINGS_FORM, token_from=SETTINGS)
    assert saved.status_code == 303
    assert store_settings(app, shop.store_id) == (5, 150, 12, 48, 10, 250)
    assert "Parcel settings saved." in page(owner.get(SETTINGS))

    assert staff.get(SETTINGS).status_code == 403
    assert post_form(staff, SETTINGS, {**SETTINGS_FORM, "free_days": "9"}, token_from=HANDOVER).status_code == 403
    assert store_settings(app, shop.store_id)[0] == 5


@pytest.mark.parametrize("changes, field, message", [
    ({"free_days": "-1"}, "free_days", "Enter a whole number from 0 to 30."),
    ({"free_days": ""}, "free_days", "This field is required."),
    ({"fee_per_day": "abc"}, "fee_per_day", "Enter an amount in yuan, like 50 or 12.50."),
    ({"fee_per_day": "1.005"}, "fee_per_day", "Enter an amount in yuan, like 50 or 12.50."),
    ({"door_fee": "500"}, "door_fee", "Enter an amount from ¥0 to ¥100."),
    ({"second_reminder_h": "12"}, "second_reminder_h", "The second reminder must come later than the first."),
    ({"return_days": "2"}, "return_days", "Parcels may go back to the carrier only after the second reminder."),
])
def test_bad_settings_are_refused_with_the_form_kept(app, station, create_user, login_client, changes, field,
                                                      message):
    shop, _, _, _ = station
    _, owner_phone = create_user(shop.store_id, Role.OWNER)
    owner = login_client(owner_phone)
    owner.set_cookie("lang", "en")
    before = store_settings(app, shop.store_id)
    sent = {**SETTINGS_FORM, **changes}
    response = post_form(owner, SETTINGS, sent, token_from=SETTINGS)
    assert response.status_code == 400
    assert message in page(response)
    assert all(input_value(response, name) == value for name, value in sent.items())
    assert store_settings(app, shop.store_id) == before


# ---- who may open the counter's parcel pages --------------------------------------------------------

@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COURIER])
def test_residents_and_couriers_get_403(app, station, create_user, login_client, role):
    shop, resident, staff_id, _ = station
    _, code, _ = check_in(app, staff_id, resident.phone, "NO0000000001")
    _, phone = create_user(shop.store_id, role)
    client = login_client(phone)
    for path in (HANDOVER, RETURNS, REPORTS, REPORTS + ".csv", SETTINGS):
        assert client.get(path).status_code == 403, path
    assert post_form(client, HANDOVER, {"code": code}).status_code == 403
    assert post_form(client, RETURNS, {"parcel_id": "1"}).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(HANDOVER).status_code == 302
