"""Shared fixtures: an app per test on SQLite (and again on PostgreSQL when TEST_DATABASE_URL is
set), its client and CLI runner, factories for stores/buildings/users, and login helpers.

In CI (``CI=true``) a test that needs PostgreSQL or Chromium fails instead of skipping.
"""
import os
import re

import pytest
from sqlalchemy import create_engine, inspect, text

from store_app import create_app
from store_app.accounts.models import Address, Role, User
from store_app.database import transaction
from store_app.extensions import db, limiter
from store_app.geo.models import Building
from store_app.stores.models import Store, StoreHours

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct-horse"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def sqlalchemy_url(url):
    """``postgresql://`` -> the psycopg 3 driver, as the app's config does."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def skip_or_fail(reason):
    """Skip locally; in CI a missing database or browser is a failure, not a skip."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_engine():
    """One engine on the PostgreSQL test database, schema created once per session."""
    if not PG_URL:
        skip_or_fail("TEST_DATABASE_URL is not set")
    engine = create_engine(sqlalchemy_url(PG_URL))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_backend(request):
    """Which database this test runs on."""
    return request.param


@pytest.fixture
def app(db_backend, request, tmp_path, monkeypatch):
    """A fresh app and empty schema for each test."""
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    if db_backend == "postgresql":
        request.getfixturevalue("pg_engine")
        uri = sqlalchemy_url(PG_URL)
    else:
        uri = "sqlite://"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        if db_backend == "postgresql":
            _reset_postgres()
        else:
            db.create_all()
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        if db_backend == "postgresql":
            _reset_postgres()
        db.engine.dispose()


def _reset_postgres():
    """Empty every table (creating the schema the first time) without dropping it."""
    tables = set(inspect(db.engine).get_table_names())
    wanted = set(db.metadata.tables)
    if not wanted <= tables or "alembic_version" in tables:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        return
    names = ", ".join(f'"{name}"' for name in db.metadata.tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_ctx(app):
    """Run the test body inside an app context (for operations and queries)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- factories -------------------------------------------------------------------------------

@pytest.fixture
def create_store(app):
    """Factory: ``create_store(name=..., lat=..., lon=...)`` -> store id, open 00:00-24:00 daily."""
    def factory(name="Test Store", lat=31.2, lon=121.4, timezone="Asia/Shanghai", promise_minutes=30,
                all_day=True):
        with app.app_context(), transaction():
            store = Store(name=name, address="1 Test Rd", lat=lat, lon=lon, timezone=timezone,
                          phone="021-0000 0000", promise_minutes=promise_minutes)
            if all_day:
                store.hours = [StoreHours(weekday=d, opens_min=0, closes_min=1440) for d in range(7)]
            db.session.add(store)
            db.session.flush()
            return store.id
    return factory


@pytest.fixture
def create_building(app):
    """Factory: ``create_building(store_id, name, aliases=[...])`` -> building id."""
    def factory(store_id, name="Lotus Garden 1", aliases=(), lat=31.2005, lon=121.4005, note=""):
        with app.app_context(), transaction():
            building = Building(store_id=store_id, lat=lat, lon=lon, entrance_note=note)
            building.set_names(name, list(aliases))
            db.session.add(building)
            db.session.flush()
            return building.id
    return factory


_phone_counter = iter(range(10_000, 99_999))


def new_phone():
    """A fresh valid Chinese mobile number in E.164."""
    return f"+86139{next(_phone_counter):08d}"


@pytest.fixture
def create_user(app):
    """Factory: ``create_user(store_id, role="resident", building_id=None)`` -> (id, phone)."""
    from werkzeug.security import generate_password_hash

    hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")

    def factory(store_id, role=Role.RESIDENT, building_id=None, name="Test Person", phone=None):
        phone = phone or new_phone()
        with app.app_context(), transaction():
            user = User(store_id=store_id, phone=phone, name=name, password_hash=hashed, role=str(role))
            if building_id is not None:
                user.addresses.append(Address(store_id=store_id, building_id=building_id, unit="1-101",
                                              is_default=True))
            db.session.add(user)
            db.session.flush()
            return user.id, phone
    return factory


@pytest.fixture
def community(create_store, create_building, create_user):
    """One store with two buildings and one user of every role: a dict of ids and phones."""
    store_id = create_store()
    b1 = create_building(store_id, "莲花苑 3号楼", ["Lotus Garden Building 3", "3号楼"], 31.2010, 121.4010)
    b2 = create_building(store_id, "梅陇新村 1号楼", ["Meilong Village Building 1"], 31.1990, 121.3990)
    people = {role: create_user(store_id, role, b1 if role == Role.RESIDENT else None, name=f"{role} person")
              for role in Role}
    return {"store_id": store_id, "buildings": [b1, b2], "users": people}


# ---- web helpers -----------------------------------------------------------------------------

def csrf_token(client, path="/login"):
    """The CSRF token of the client's session, read from a page's meta tag."""
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no csrf meta tag on {path}"
    return match.group(1)


class AuthActions:
    """Log a test client in and out, the way a browser would (with CSRF tokens)."""

    def __init__(self, client):
        self.client = client

    def login(self, phone, password=PASSWORD, follow_redirects=False):
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"phone": phone, "password": password, "csrf_token": token},
                                follow_redirects=follow_redirects)

    def logout(self):
        token = csrf_token(self.client, "/me")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path, data=None, token_from="/me", **kwargs):
        """POST a form with this session's CSRF token."""
        token = csrf_token(self.client, token_from)
        return self.client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)
