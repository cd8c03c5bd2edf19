"""The owner's KPI board over HTTP: the page with its tiles, charts and period picker; who may open
it; every table as CSV (formula-safe) and XLSX; JSON for staff device tokens; residents' activity
recorded once a day by the request hook."""
import io
import re
import zipfile
from datetime import timedelta

import pytest

from store_app.accounts import activity, devices
from store_app.accounts.models import User, UserActivity
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.reports import kpi_rules, rollup
from store_app.roles import Role
from store_app.stores.models import Store
from tests import kpi_support as k


EN = {"Accept-Language": "en"}


@pytest.fixture
def board_data(app, community):
    """A delivered order and a resident's activity today and 20 days ago, rolled up."""
    store_id = community["store_id"]
    resident = community["users"][Role.RESIDENT][0]
    now = utcnow()
    with app.app_context(), transaction():
        k.add_order(store_id, resident, now - timedelta(minutes=40), total=4200, delivered_after_min=25)
        k.add_order(store_id, resident, now - timedelta(days=20), total=1800, delivered_after_min=35)
        k.add_activity(store_id, resident, kpi_rules.local_day(now - timedelta(days=20), "Asia/Shanghai"))
        store = db.session.get(Store, store_id)
        today = kpi_rules.local_day(now, store.timezone)
        rollup.refresh(store, kpi_rules.Period(today - timedelta(days=40), today), now)
    return community


def login(auth, community, role):
    assert auth.login(community["users"][role][1]).status_code == 302


def test_the_owner_sees_every_section_with_definitions_and_charts(client, auth, board_data):
    login(auth, board_data, Role.OWNER)
    assert 'href="/console/board"' in client.get("/owner").get_data(as_text=True)
    response = client.get("/console/board?preset=30d", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for section in ("sales", "residents", "delivery", "parcels", "breakfast", "services", "growth"):
        assert f'id="kpi-{section}"' in page
    assert 'data-tile="gmv_gross_cents"' in page and "¥60.00" in page  # 42 + 18 yuan in the last 30 days
    assert page.count("<details class=\"kpi-definition") >= 30
    assert page.count("<svg class=\"kpi-chart") == 4
    assert "China (Shanghai) Time" in page and "is-incomplete" in page  # the last 30 days include today
    assert "Asia/Shanghai" not in page  # the zone's name in the reader's language, not its database id
    assert 'data-tile="referral_spend_cents"' in page
    assert 'aria-current="page"' in page


def test_a_complete_custom_period_is_not_greyed(client, auth, board_data):
    login(auth, board_data, Role.OWNER)
    today = kpi_rules.local_day(utcnow(), "Asia/Shanghai")
    first, last = today - timedelta(days=25), today - timedelta(days=1)
    page = client.get(f"/console/board?from={first}&to={last}").get_data(as_text=True)
    assert "is-incomplete" not in page and "¥18.00" in page


@pytest.mark.parametrize("query", ["from=2026-02-30&to=2026-03-01", "from=2026-03-02&to=2026-03-01",
                                   "preset=yesterday", "from=0001-01-01&to=9999-12-31"])
def test_a_bad_period_is_a_400_in_the_users_language_showing_the_default(client, auth, board_data, query):
    login(auth, board_data, Role.OWNER)
    response = client.get(f"/console/board?{query}", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert "YYYY" not in response.get_data(as_text=True)  # a date's shape said in words and an example


def test_only_the_owner_opens_the_board_page(client, auth, board_data):
    login(auth, board_data, Role.STAFF)
    assert client.get("/console/board").status_code == 403  # staff read the figures through a device
    auth.logout()
    login(auth, board_data, Role.RESIDENT)
    assert client.get("/console/board").status_code == 403
    assert client.get("/console/board/export/tiles.csv").status_code == 403
    auth.logout()
    assert client.get("/console/board").status_code == 302  # to the login page


@pytest.mark.parametrize("table", ["tiles", "daily", "click_to_door", "dwell", "retention"])
def test_every_table_exports_as_csv_and_xlsx(client, auth, board_data, table):
    login(auth, board_data, Role.OWNER)
    csv = client.get(f"/console/board/export/{table}.csv?preset=30d")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    text = csv.get_data(as_text=True)
    assert text.startswith("\ufeff") and "Asia/Shanghai" in text
    assert not re.search(r"(^|,)[=+@]", text, re.M)  # nothing a spreadsheet would run as a formula
    xlsx = client.get(f"/console/board/export/{table}.xlsx?preset=30d")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "Asia/Shanghai" in strings and "<f>" not in sheet  # text cells, never formulas
    assert sheet.count("<row ") == len([line for line in text.split("\r\n") if line.strip(",\ufeff")])


def test_exported_tiles_carry_money_in_yuan_and_the_definition(client, auth, board_data):
    login(auth, board_data, Role.OWNER)
    text = client.get("/console/board/export/tiles.csv?preset=30d", headers=EN).get_data(as_text=True)
    assert "GMV gross,60.0," in text and "before refunds" in text
    assert client.get("/console/board/export/nothing.csv").status_code == 404
    assert client.get("/console/board/export/tiles.pdf").status_code == 404


def _token(app, community, role):
    with app.app_context(), transaction():
        staff = db.session.get(User, community["users"][Role.STAFF][0])
        return devices.create_device_token(staff, user_id=community["users"][role][0], name=str(role),
                                           now=utcnow())[1]


def test_the_json_board_answers_staff_tokens_and_no_one_else(app, client, board_data):
    token = _token(app, board_data, Role.STAFF)
    response = client.get("/api/v1/reports/board?preset=30d", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["figures"]["gmv_gross_cents"] == 6000 and body["time_zone"] == "Asia/Shanghai"
    assert body["period"]["complete"] is False and len(body["daily"]) == 30
    assert client.get("/api/v1/reports/board").status_code == 401
    assert client.get("/api/v1/reports/board", headers={"Authorization": "Bearer nope"}).status_code == 401
    courier = _token(app, board_data, Role.COURIER)
    assert client.get("/api/v1/reports/board", headers={"Authorization": f"Bearer {courier}"}).status_code == 403
    bad = client.get("/api/v1/reports/board?from=2026-01-05&to=2026-01-01",
                     headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400 and bad.get_json()["status"] == 400


def test_the_board_is_described_in_the_api_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/api/v1/reports/board"]


def _activity_rows(app):
    with app.app_context():
        return db.session.execute(db.select(UserActivity.user_id, UserActivity.day)).all()


def test_a_residents_activity_is_recorded_once_a_day(app, client, auth, community):
    activity.forget_recorded()
    login(auth, community, Role.RESIDENT)
    for path in ("/me", "/me", "/static/css/base.css", "/no-such-page"):
        client.get(path).close()  # a static file answers with an open file
    rows = _activity_rows(app)
    resident = community["users"][Role.RESIDENT][0]
    assert rows == [(resident, kpi_rules.local_day(utcnow(), "Asia/Shanghai"))]
    activity.forget_recorded()  # another worker process: its own cache, the same row
    client.get("/me")
    assert _activity_rows(app) == rows


def test_staff_pages_and_anonymous_visits_record_no_activity(app, client, auth, community):
    activity.forget_recorded()
    client.get("/login")
    login(auth, community, Role.STAFF)
    client.get("/console")
    assert _activity_rows(app) == []


def test_a_database_refusing_the_row_does_not_break_the_page(app, client, auth, community, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def refuse(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    activity.forget_recorded()
    monkeypatch.setattr(activity, "record_activity", refuse)
    login(auth, community, Role.RESIDENT)
    assert client.get("/me").status_code == 200
    assert _activity_rows(app) == []
