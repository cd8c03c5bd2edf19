"""A value longer than the column that keeps it is refused with a message, never cut short without a word."""
import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.errors import ValueTooLong
from store_app.extensions import db
from store_app.orders.checkout import new_idempotency_key, place_order
from store_app.orders.models import Order
from store_app.parcels.models import Carrier
from store_app.roles import Role
from store_app.stores.models import Store
from tests.conftest import add_shopper, build_shop, fill_cart

from .conftest import post_form

CARRIERS = "/console/parcels/carriers"


@pytest.fixture
def counter(app, create_shop, create_user, login_client):
    shop = create_shop()
    _, phone = create_user(shop.store_id, Role.STAFF)
    client = login_client(phone)
    client.set_cookie("lang", "en")
    return shop, client


def test_a_carrier_name_of_twenty_thousand_characters_is_refused_not_cut(app, counter, count):
    shop, staff = counter
    before = count(Carrier)
    response = post_form(staff, CARRIERS, {"names": "顺丰速运 SF Express\n" + "Z" * 20_000}, token_from=CARRIERS)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "cannot be longer than 4000 characters" in page
    assert count(Carrier) == before
    assert "Z" * 100 in page  # what was typed comes back


def test_one_carrier_name_longer_than_the_column_is_named_and_nothing_saved(app, counter, count):
    shop, staff = counter
    response = post_form(staff, CARRIERS, {"names": "中通快递 ZTO\n" + "Y" * 41}, token_from=CARRIERS)
    assert response.status_code == 400
    assert "is too long: at most 40 characters" in response.get_data(as_text=True)
    assert count(Carrier) == 0


def test_every_text_longer_than_its_column_is_refused_before_it_is_written(app_ctx):
    """The net under every operation: SQLite would keep the whole text, PostgreSQL would fail; both refuse."""
    with pytest.raises(ValueTooLong) as refused, transaction():
        db.session.add(Store(name="S" * 121, lat=31.2, lon=121.4))
    assert refused.value.field == "name" and refused.value.status == 400
    assert "120" in str(refused.value.message)  # the limit is said (in the default language, Chinese)
    assert db.session.scalar(db.select(db.func.count(Store.id))) == 0
    with transaction():  # exactly as long as the column is fine
        db.session.add(Store(name="S" * 120, lat=31.2, lon=121.4))
    assert db.session.scalar(db.select(db.func.count(Store.id))) == 1


def test_a_long_text_on_an_existing_row_is_refused_too(app_ctx):
    with transaction():
        store = Store(name="Corner", lat=31.2, lon=121.4)
        db.session.add(store)
    with pytest.raises(ValueTooLong), transaction():
        db.session.get(Store, store.id).phone = "1" * 33
    assert db.session.get(Store, store.id).phone != "1" * 33


def test_a_checkout_note_longer_than_its_column_is_refused_by_the_operation(app_ctx):
    shop = build_shop()
    shopper = add_shopper(shop)
    fill_cart(shopper.user_id, {shop.products["water"]: 1})
    with pytest.raises(ValueTooLong) as refused, transaction():
        place_order(db.session.get(User, shopper.user_id), address_id=shopper.address_id, payment_method="cash",
                    idempotency_key=new_idempotency_key(), now=utcnow(), note="n" * 201)
    assert refused.value.field == "note"
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
