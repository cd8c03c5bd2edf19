"""The owner's staffing page through the test client: the busiest past Saturday morning replayed into a
table and a chart, the owner's own counts, no history, bad input, who may open it, and the demo."""
import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.orders.models import Order
from store_app.roles import Role
from tests.conftest import add_shopper, build_shop, place_test_order

from .conftest import input_value, post_form, selected_option, text_of

PAGE = "/owner/staffing"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULTS = {"weekday": "5", "from_hour": "9", "to_hour": "12", "target": "98", "weeks": "8", "couriers": ""}


def english(client):
    client.set_cookie("lang", "en")
    return client


def saturdays_back(weeks):
    """The local date of the Saturday ``weeks`` weeks before the last whole Saturday."""
    today = utcnow().astimezone(SHANGHAI).date()
    last = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    return last - timedelta(weeks=weeks)


def at(day, hour, minute):
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(timezone.utc)


@pytest.fixture
def world(app, create_user, login_client):
    """A shop with orders on the last two Saturday mornings (5 on the last one, 2 the week before, one
    cancelled), one order on the last Saturday afternoon, another store's orders, and logged-in clients."""
    with app.app_context():
        shop = build_shop(couriers=4, stock=500)
        shopper = add_shopper(shop, balance_cents=1_000_000)
        other = build_shop(couriers=4, stock=500, name="Other Store", lat=31.3, lon=121.5)
        other_shopper = add_shopper(other, balance_cents=1_000_000)
        water, noodles = shop.products["water"], shop.products["noodles"]
        last, before = saturdays_back(0), saturdays_back(1)
        for hour, minute, quantity in ((9, 10, 2), (9, 40, 1), (10, 5, 6), (10, 20, 1), (11, 30, 3)):
            place_test_order(shopper, {water: quantity, noodles: 1}, now=at(last, hour, minute))
        place_test_order(shopper, {water: 1}, now=at(last, 15, 0))  # after the window
        for minute in (15, 45):
            place_test_order(shopper, {water: 1}, now=at(before, 10, minute))
        cancelled = place_test_order(shopper, {water: 1}, now=at(before, 10, 50))
        with transaction():
            db.session.get(Order, cancelled).status = "cancelled"
        for minute in range(0, 60, 5):  # another store's busy Saturday: never counted here
            place_test_order(other_shopper, {other.products["water"]: 1}, now=at(last, 9, minute))

    _owner_id, owner_phone = create_user(shop.store_id, Role.OWNER, name="Owner")
    _staff_id, staff_phone = create_user(shop.store_id, Role.STAFF, name="Staff")

    class World:
        pass

    w = World()
    w.shop, w.last, w.before = shop, last, before
    w.owner = english(login_client(owner_phone))
    w.staff = english(login_client(staff_phone))
    w.resident = english(login_client(shopper.phone))
    return w


def ask(client, **changes):
    return post_form(client, PAGE, {**DEFAULTS, **changes}, token_from=PAGE)


def test_the_form_starts_with_saturday_morning_and_98_percent(world):
    response = world.owner.get(PAGE)
    assert response.status_code == 200
    assert selected_option(response, "weekday") == "5"
    assert (selected_option(response, "from_hour"), selected_option(response, "to_hour")) == ("9", "12")
    assert input_value(response, "target") == "98" and input_value(response, "weeks") == "8"
    assert 'id="staffing-result"' not in text_of(response)


def test_the_owner_sees_the_busiest_saturday_morning_as_a_table_and_a_chart(world):
    response = ask(world.owner)
    page = text_of(response)
    assert response.status_code == 200, page[:3000]
    assert 'id="staffing-result"' in page
    assert f"Replayed {world.last.isoformat()}, the busiest Saturday of the last 8 weeks: 5 orders" in page
    assert "Days with orders: 2, with 3.5 orders on average." in page  # the cancelled one is left out
    table = page[page.index('<table class="staffing-table">'):page.index("</table>")]
    for hour in ("09:00–10:00", "10:00–11:00", "11:00–12:00"):
        assert hour in table
    assert "<td>2</td>" in table and "<td>1</td>" in table  # orders per hour: 2, 2, 1
    assert "100%" in table
    assert '<svg class="staffing-chart"' in page and 'role="img"' in page
    assert page.count("<circle cx=") == 3 and "10:00: 2 orders" in page and "11:00: 1 order<" in page
    assert len(re.findall(r"\d\d:00: \d+ couriers? recommended", page)) == 3
    assert "With your couriers" not in page


def test_the_owners_own_counts_are_replayed_too(world):
    page = text_of(ask(world.owner, couriers="1, 2, 1"))
    assert 'id="staffing-yours"' in page
    yours = page[page.index('id="staffing-yours"'):]
    assert "Your couriers" in yours and '<td class="couriers">2</td>' in yours
    assert page.count('<rect x="') >= 3 + 3  # bars and the owner's squares
    assert "your 2 couriers" in page


def test_no_history_says_so(world):
    page = text_of(ask(world.owner, weekday="0"))
    assert "No orders on Monday between 09:00 and 12:00 in the last 8 weeks: there is nothing to replay yet." in page
    assert "<table" not in page and "staffing-chart" not in page.split("</form>")[1]


def test_a_short_history_leaves_older_saturdays_out(world):
    page = text_of(ask(world.owner, weeks="1"))
    assert "Days with orders: 1, with 5 orders on average." in page


@pytest.mark.parametrize("changes, message, kept", [
    ({"from_hour": "12", "to_hour": "9"}, "The window must end after it starts.", ("from_hour", "12")),
    ({"from_hour": "10", "to_hour": "10"}, "The window must end after it starts.", ("to_hour", "10")),
    ({"target": "150"}, "Choose a share between 50% and 100%.", ("target", "150")),
    ({"target": "0"}, "Choose a share between 50% and 100%.", ("target", "0")),
    ({"target": ""}, "This field is required.", ("couriers", "")),
    ({"weeks": "99"}, "Choose between 1 and 26 weeks.", ("weeks", "99")),
    ({"couriers": "lots"}, "Write whole numbers from 0 to 20, like 3 or 2, 3, 3.", ("couriers", "lots")),
    ({"couriers": "1, 2"}, "Give one number for every hour, or 3 numbers, one per hour.", ("couriers", "1, 2")),
    ({"from_hour": "12", "to_hour": "9", "couriers": "x"}, "Write whole numbers from 0 to 20", ("couriers", "x")),
])
def test_bad_input_is_explained_and_the_form_comes_back_filled_in(world, count, changes, message, kept):
    orders_before = count(Order)
    response = ask(world.owner, **{**changes, "weekday": "6"})
    page = text_of(response)
    assert response.status_code == 400
    assert message in page
    assert 'id="staffing-result"' not in page
    name, value = kept
    if name in ("from_hour", "to_hour"):
        assert selected_option(response, name) == value
    else:
        assert input_value(response, name) == value
    assert selected_option(response, "weekday") == "6"
    assert count(Order) == orders_before


def test_only_the_owner_may_open_it(world, client):
    for other in (world.staff, world.resident):
        assert other.get(PAGE).status_code == 403
        assert ask(other).status_code == 403
    assert client.get(PAGE).status_code == 302
    assert f'href="{PAGE}"' in world.owner.get("/owner").get_data(as_text=True)
    assert f'href="{PAGE}"' not in world.staff.get("/console").get_data(as_text=True)


def test_the_demo_store_gets_an_answer(app, login_client):
    from store_app.demo import data
    from store_app.demo.operations import seed_demo

    with app.app_context(), transaction():
        seed_demo()
    owner = english(login_client(data.OWNER[0], password=data.PASSWORD))
    page = text_of(ask(owner, from_hour="8", to_hour="21"))
    assert 'id="staffing-result"' in page and "the busiest Saturday of the last 8 weeks" in page
    assert '<svg class="staffing-chart"' in page and page.count("<tr") == 1 + 13 + 1
