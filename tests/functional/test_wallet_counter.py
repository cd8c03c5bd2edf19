"""Wallet top-up at the counter and the resident's wallet page, through the test client."""
import pytest

from store_app.extensions import db
from store_app.roles import Role
from store_app.wallet.models import Wallet, WalletEntry
from store_app.wallet.operations import ledger_sum

from .conftest import input_value, post_form


@pytest.fixture
def counter(app, create_shop, create_shopper, create_user, login_client):
    shop = create_shop()
    shopper = create_shopper(shop, balance_cents=1_000)
    _, staff_phone = create_user(shop.store_id, Role.STAFF)
    staff = login_client(staff_phone)
    staff.set_cookie("lang", "en")
    return shop, shopper, staff


def balance(app, user_id):
    """``(Wallet.balance_cents, ledger sum, number of entries)``."""
    with app.app_context():
        wallet = db.session.get(Wallet, user_id)
        entries = db.session.scalar(db.select(db.func.count()).select_from(WalletEntry)
                                    .where(WalletEntry.user_id == user_id))
        return (wallet.balance_cents if wallet else 0), ledger_sum(user_id), entries


def top_up(staff, user_id, amount, note="", expected=None):
    page = staff.get(f"/console/wallet/{user_id}")
    if expected is None:
        expected = input_value(page, "expected_balance_cents")
    data = {"amount": amount, "note": note, "expected_balance_cents": expected}
    return post_form(staff, f"/console/wallet/{user_id}/top-up", data,
                     token_from=f"/console/wallet/{user_id}")


def test_find_a_resident_by_phone_and_top_up(app, counter):
    shop, shopper, staff = counter
    local = shopper.phone.removeprefix("+86")
    found = staff.get(f"/console/wallet?phone={local[:3]} {local[3:7]} {local[7:]}")
    assert found.status_code == 302
    assert found.headers["Location"] == f"/console/wallet/{shopper.user_id}"
    page = staff.get(found.headers["Location"]).get_data(as_text=True)
    assert "¥10.00" in page and "Shopper" in page

    response = top_up(staff, shopper.user_id, "50", "cash")
    assert response.status_code == 303
    assert balance(app, shopper.user_id) == (6_000, 6_000, 2)
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Topped up ¥50.00. New balance: ¥60.00." in page
    assert "+¥50.00" in page and "cash" in page
    with app.app_context():
        entry = db.session.scalar(db.select(WalletEntry).order_by(WalletEntry.id.desc()).limit(1))
        assert (entry.reason, entry.amount_cents, entry.note) == ("topup", 5_000, "cash")
        assert entry.actor_id is not None


@pytest.mark.parametrize("amount, message", [
    ("", "Enter an amount."),
    ("abc", "Enter an amount in yuan, like 50 or 12.50."),
    ("-5", "Enter an amount in yuan, like 50 or 12.50."),
    ("12.345", "Enter an amount in yuan, like 50 or 12.50."),
    ("0", "Enter an amount between ¥0.01 and ¥5,000."),
    ("5000.01", "Enter an amount between ¥0.01 and ¥5,000."),
    ("99999999", "Enter an amount between ¥0.01 and ¥5,000."),
    ("1e3", "Enter an amount in yuan, like 50 or 12.50."),
])
def test_bad_amounts_change_nothing_and_keep_the_form(app, counter, amount, message):
    _, shopper, staff = counter
    response = top_up(staff, shopper.user_id, amount, "typed note")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert input_value(response, "amount") == amount and input_value(response, "note") == "typed note"
    assert balance(app, shopper.user_id) == (1_000, 1_000, 1)


def test_the_largest_top_up_is_accepted(app, counter):
    _, shopper, staff = counter
    assert top_up(staff, shopper.user_id, "5000.00").status_code == 303
    assert balance(app, shopper.user_id) == (501_000, 501_000, 2)


def test_a_form_sent_twice_tops_up_once(app, counter):
    _, shopper, staff = counter
    assert top_up(staff, shopper.user_id, "20", expected=1_000).status_code == 303
    replay = top_up(staff, shopper.user_id, "20", expected=1_000)
    assert replay.status_code == 409
    assert "The balance changed" in replay.get_data(as_text=True)
    assert input_value(replay, "amount") == "20"
    assert input_value(replay, "expected_balance_cents") == "3000"  # now showing the new balance
    assert balance(app, shopper.user_id) == (3_000, 3_000, 2)
    assert top_up(staff, shopper.user_id, "20", expected="forged").status_code == 409


def test_a_first_top_up_creates_the_wallet(app, counter, create_shopper):
    shop, _, staff = counter
    newcomer = create_shopper(shop, balance_cents=0)
    assert staff.get(f"/console/wallet/{newcomer.user_id}").status_code == 200
    assert top_up(staff, newcomer.user_id, "8.8").status_code == 303
    assert balance(app, newcomer.user_id) == (880, 880, 1)


def test_unknown_and_foreign_residents(app, counter, create_shop, create_shopper, create_user):
    shop, shopper, staff = counter
    unknown = staff.get("/console/wallet?phone=13900000000")
    assert unknown.status_code == 404
    assert "No resident of this store has that phone number." in unknown.get_data(as_text=True)
    assert input_value(unknown, "phone") == "13900000000"
    assert staff.get("/console/wallet?phone=not a number").status_code == 404

    other_shop = create_shop(name="Other Store", lat=31.3, lon=121.5)
    stranger = create_shopper(other_shop)
    courier_id, courier_phone = create_user(shop.store_id, Role.COURIER)
    assert staff.get(f"/console/wallet?phone={stranger.phone}").status_code == 404
    assert staff.get(f"/console/wallet?phone={courier_phone}").status_code == 404
    for user_id in (stranger.user_id, courier_id, 99_999):
        assert staff.get(f"/console/wallet/{user_id}").status_code == 404
        assert top_up(staff, user_id, "10", expected=0).status_code == 404
    assert balance(app, stranger.user_id)[0] == 10_000


def test_the_resident_sees_balance_and_ledger(app, counter, login_client):
    _, shopper, staff = counter
    top_up(staff, shopper.user_id, "12.5", "WeChat")
    resident = login_client(shopper.phone)
    resident.set_cookie("lang", "en")
    me = resident.get("/me").get_data(as_text=True)
    assert "¥22.50" in me and "/wallet" in me
    wallet = resident.get("/wallet")
    page = wallet.get_data(as_text=True)
    assert wallet.status_code == 200
    assert "¥22.50" in page and "+¥12.50" in page and "WeChat" in page and "Top-up" in page
    assert staff.get("/wallet").status_code == 403
    assert resident.get("/console/wallet").status_code == 403
    response = post_form(resident, f"/console/wallet/{shopper.user_id}/top-up", {"amount": "10"})
    assert response.status_code == 403
