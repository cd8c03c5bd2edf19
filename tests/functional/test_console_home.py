"""The counter's work list (console home) and the owner's home: each domain's item with its count,
the oldest one's age and the link where it is done; today against the same weekday last week."""
import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.database import transaction, utcnow
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.orders.models import Order, VoiceOrder
from store_app.parcels import checkin, shelves
from store_app.parcels.models import Parcel
from store_app.roles import Role

from ..conftest import place_test_order

TZ = ZoneInfo("Asia/Shanghai")
ITEM_RE = re.compile(r'<li class="work-item[^"]*"\s+id="work-(?P<key>[\w-]+)"[^>]*data-count="(?P<count>\d+)">'
                     r'(?P<body>.*?)</li>', re.S)


def work_items(response):
    """``{key: {"count", "href", "text"}}`` of the work list on a page or fragment."""
    assert response.status_code == 200, response.status_code
    found = {}
    for match in ITEM_RE.finditer(response.get_data(as_text=True)):
        body = match.group("body")
        href = re.search(r'<a class="button[^"]*work-link" href="([^"]+)"', body).group(1)
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
        found[match.group("key")] = {"count": int(match.group("count")), "href": html.unescape(href), "text": text}
    return found


@pytest.fixture
def counter(app, create_shop, create_shopper, create_user, login_client):
    """A shop with a shelf, a resident and a logged-in staff member and owner (English)."""
    shop = create_shop(couriers=8)  # enough that seven open orders are not "too busy"
    resident = create_shopper(shop, balance_cents=100_000, name="Lin Resident")
    staff_id, staff_phone = create_user(shop.store_id, Role.STAFF, name="Counter Clerk")
    _owner_id, owner_phone = create_user(shop.store_id, Role.OWNER, name="Owner")
    with app.app_context(), transaction():
        shelves.save_shelf(shop.store_id, 1, tiers=3, capacity=10)
    staff, owner = login_client(staff_phone), login_client(owner_phone)
    for client in (staff, owner):
        client.set_cookie("lang", "en")
    return shop, resident, staff_id, staff, owner


def check_in(app, staff_id, phone, tracking, ago):
    with app.app_context(), transaction():
        done = checkin.check_in(db.session.get(User, staff_id), tracking_number=tracking, carrier="中通快递 ZTO",
                                phone=phone, name="Recipient", now=utcnow() - ago)
        return done.parcel.id


def test_an_idle_store_lists_every_item_with_nothing_waiting(counter):
    _shop, _resident, _staff_id, staff, _owner = counter
    items = work_items(staff.get("/console"))
    assert set(items) >= {"orders-to_accept", "deliveries-at_risk", "orders-voice", "orders-locked_codes", "orders-pickups",
                          "parcels-waiting", "parcels-overdue", "parcels-return_list", "parcels-locked_codes"}
    assert all(item["count"] == 0 and "Nothing waiting" in item["text"] for item in items.values())
    # Owner-level items are not the counter's.
    assert "catalogue-stock_out" not in items and "parcels-code_alerts" not in items


def test_each_domain_adds_its_item_with_count_oldest_age_and_link(app, counter):
    shop, resident, staff_id, staff, _owner = counter
    with app.app_context():
        old = place_test_order(resident, {shop.products["water"]: 1})
        place_test_order(resident, {shop.products["milk"]: 1})
        locked = place_test_order(resident, {shop.products["noodles"]: 1})
        now = utcnow()
        with transaction():
            db.session.execute(db.update(Order).where(Order.id == old).values(placed_at=now - timedelta(minutes=17)))
            db.session.execute(db.update(Order).where(Order.id == locked).values(
                status="assigned", delivery_code_misses=5, courier_id=shop.courier_ids[0]))
            db.session.execute(db.update(DeliveryTask).where(DeliveryTask.order_id == locked).values(
                status="assigned", courier_id=shop.courier_ids[0], promised_at=now - timedelta(minutes=12)))
            db.session.add(VoiceOrder(store_id=shop.store_id, user_id=resident.user_id, text="two bottles of milk",
                                      created_at=now - timedelta(hours=2, minutes=5)))
    check_in(app, staff_id, resident.phone, "ZT1000000001", timedelta(days=4))
    check_in(app, staff_id, resident.phone, "ZT1000000002", timedelta(hours=1))
    locked_parcel = check_in(app, staff_id, resident.phone, "ZT1000000003", timedelta(minutes=30))
    with app.app_context(), transaction():
        db.session.execute(db.update(Parcel).where(Parcel.id == locked_parcel).values(code_misses=5))

    items = work_items(staff.get("/console/work-list"))
    assert items["orders-to_accept"]["count"] == 2
    assert items["orders-to_accept"]["href"] == "/console/orders"
    assert "Oldest waiting: 17 minutes" in items["orders-to_accept"]["text"]
    assert "Urgent" in items["orders-to_accept"]["text"]
    assert items["orders-locked_codes"]["count"] == 1
    assert items["orders-locked_codes"]["href"] == "/console/orders"
    assert items["deliveries-at_risk"]["count"] == 1
    assert items["deliveries-at_risk"]["href"] == "/console/dispatch"
    assert items["orders-voice"]["count"] == 1
    assert items["orders-voice"]["href"] == "/console/voice"
    assert "Oldest waiting: 2 hours" in items["orders-voice"]["text"]
    assert items["parcels-waiting"]["count"] == 3
    assert items["parcels-waiting"]["href"] == "/console/parcels/handover"
    assert "Oldest waiting: 4 days" in items["parcels-waiting"]["text"]
    assert items["parcels-overdue"]["count"] == 1
    assert items["parcels-overdue"]["href"] == "/console/parcels/reports"
    assert items["parcels-locked_codes"]["count"] == 1
    assert items["parcels-locked_codes"]["href"] == f"/console/parcels/handover/parcels/{locked_parcel}"
    assert items["parcels-return_list"]["count"] == 0
    # Urgent work comes first.
    keys = list(items)
    assert keys.index("orders-to_accept") < keys.index("orders-voice") < keys.index("parcels-return_list")
    # Every link leads to a page staff can open.
    for item in items.values():
        assert staff.get(item["href"]).status_code == 200, item["href"]


def test_the_live_fragment_is_marked_and_never_cached(counter):
    _shop, _resident, _staff_id, staff, _owner = counter
    response = staff.get("/console/work-list")
    assert response.headers["X-Work-List"] == "1"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<html" not in response.get_data(as_text=True)
    page = staff.get("/console").get_data(as_text=True)
    assert 'data-live-url="/console/work-list"' in page and "js/live-section.js" in page


def test_residents_and_couriers_get_no_work_list(app, counter, create_user, login_client):
    shop, resident, _staff_id, _staff, _owner = counter
    courier_id, courier_phone = create_user(shop.store_id, Role.COURIER)
    for phone in (resident.phone, courier_phone):
        client = login_client(phone)
        assert client.get("/console/work-list").status_code in (403, 404)
        assert client.get("/owner/live").status_code in (403, 404)


def test_the_owner_sees_stock_outs_and_code_alerts_with_their_links(app, counter):
    shop, _resident, _staff_id, staff, owner = counter
    with app.app_context(), transaction():
        db.session.execute(db.update(Product).where(Product.id == shop.products["milk"]).values(stock=0))
        owner_id = db.session.scalar(db.select(User.id).where(User.store_id == shop.store_id, User.role == "owner"))
        db.session.add(Notification(store_id=shop.store_id, user_id=owner_id, kind="parcel_code_misses",
                                    params={"staff": "Counter Clerk"}, link="/console/parcels/handover",
                                    dedupe_key="parcel_code_misses:test"))
    items = work_items(owner.get("/owner"))
    assert items["catalogue-stock_out"]["count"] == 1
    assert items["catalogue-stock_out"]["href"] == "/console/products?stock=out"
    assert items["parcels-code_alerts"]["count"] == 1
    assert items["parcels-code_alerts"]["href"] == "/inbox"
    assert items["orders-late"]["count"] == 0
    # The stock-out link lists just that product.
    listing = html.unescape(owner.get("/console/products?stock=out").get_data(as_text=True))
    assert "Fresh milk" in listing and "Mineral water" not in listing
    assert "Showing only products on sale with no stock left." in listing
    # The counter's list has neither.
    assert "catalogue-stock_out" not in work_items(staff.get("/console"))
    # Staff cannot open the owner's home.
    assert staff.get("/owner").status_code in (302, 403, 404)


# ---- the owner's figures: today so far against the same weekday last week ------------------------

NOW_LOCAL = datetime(2026, 12, 2, 15, 0, tzinfo=TZ)  # a Wednesday afternoon


def _order_at(app, shop, resident, product, *, placed, status="delivered", late=False, total_cents=None):
    """An order placed (and, when delivered, handed over 20 minutes later, on time or late) at ``placed``."""
    with app.app_context():
        order_id = place_test_order(resident, {shop.products[product]: 1})
        placed_utc = placed.astimezone(ZoneInfo("UTC"))
        values = dict(placed_at=placed_utc, status=status, promised_at=placed_utc + timedelta(minutes=30))
        if status == "delivered":
            values["delivered_at"] = placed_utc + timedelta(minutes=45 if late else 20)
        if total_cents is not None:
            values["total_cents"] = total_cents
        with transaction():
            db.session.execute(db.update(Order).where(Order.id == order_id).values(**values))
        return order_id


def test_the_owner_compares_today_with_the_same_weekday_last_week(app, counter, monkeypatch):
    shop, resident, _staff_id, _staff, owner = counter
    monkeypatch.setattr("store_app.reports.views.utcnow", lambda: NOW_LOCAL.astimezone(ZoneInfo("UTC")))
    today, week_ago = NOW_LOCAL.replace(hour=9), NOW_LOCAL.replace(hour=10) - timedelta(days=7)
    _order_at(app, shop, resident, "water", placed=today, total_cents=2_000)
    _order_at(app, shop, resident, "milk", placed=today.replace(hour=11), late=True, total_cents=4_000)
    _order_at(app, shop, resident, "noodles", placed=today.replace(hour=12), status="cancelled", total_cents=9_900)
    _order_at(app, shop, resident, "water", placed=today.replace(hour=0) - timedelta(hours=2))  # yesterday evening
    _order_at(app, shop, resident, "water", placed=week_ago, total_cents=3_000)
    _order_at(app, shop, resident, "milk", placed=week_ago.replace(hour=16))  # after the same time of day
    _order_at(app, shop, resident, "milk", placed=week_ago - timedelta(days=1))  # not the same weekday

    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", owner.get("/owner").get_data(as_text=True))).split())
    assert "Compared with Wednesday, November 25, 2026 by the same time." in text
    assert "Orders 2 Last week: 1 · ▲ up 100%" in text
    assert "Sales ¥60.00 Last week: ¥30.00 · ▲ up 100%" in text
    assert "Delivered on time 50% Last week: 100% · ▼ down 50 points" in text
    assert "1 of 2 deliveries on time" in text
    live = owner.get("/owner/live")
    assert live.headers["X-Work-List"] == "1"
    assert "Last week: 1" in html.unescape(live.get_data(as_text=True))


def test_the_owner_page_says_when_last_week_had_nothing(app, counter, monkeypatch):
    shop, resident, _staff_id, _staff, owner = counter
    monkeypatch.setattr("store_app.reports.views.utcnow", lambda: NOW_LOCAL.astimezone(ZoneInfo("UTC")))
    _order_at(app, shop, resident, "water", placed=NOW_LOCAL.replace(hour=8), total_cents=1_500)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", owner.get("/owner").get_data(as_text=True))).split())
    assert "Orders 1 Last week: 0 · no figure last week" in text
    assert "Delivered on time 100% Last week: no deliveries" in text


def test_the_owner_page_is_in_chinese_for_chinese_owners(app, counter, monkeypatch):
    _shop, _resident, _staff_id, _staff, owner = counter
    monkeypatch.setattr("store_app.reports.views.utcnow", lambda: NOW_LOCAL.astimezone(ZoneInfo("UTC")))
    owner.set_cookie("lang", "zh")
    text = html.unescape(owner.get("/owner").get_data(as_text=True))
    for english in ("Today so far", "Needs you", "Last week", "Compared with", "Products out of stock"):
        assert english not in text
    assert "今天" in text and "上周" in text


def test_pickup_orders_ready_at_the_counter_are_a_work_item(app, counter):
    shop, resident, _staff_id, staff, _owner = counter
    with app.app_context():
        ready = place_test_order(resident, {shop.products["water"]: 1})
        still_packing = place_test_order(resident, {shop.products["milk"]: 1})
        now = utcnow()
        with transaction():
            db.session.execute(db.update(Order).where(Order.id.in_([ready, still_packing])).values(fulfilment="pickup"))
            db.session.execute(db.update(Order).where(Order.id == ready).values(
                status="ready", ready_at=now - timedelta(minutes=25)))
    items = work_items(staff.get("/console/work-list"))
    assert items["orders-pickups"]["count"] == 1
    assert items["orders-pickups"]["href"] == "/console/pickups"
    assert "Oldest waiting: 25 minutes" in items["orders-pickups"]["text"]
    assert staff.get("/console/pickups").status_code == 200
