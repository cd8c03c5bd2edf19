"""Shared fixtures: an app per test on SQLite (and again on PostgreSQL when TEST_DATABASE_URL is
set), its client and CLI runner, factories for stores/buildings/users, and login helpers.

The schema is built once per session on each backend: a SQLite template file that every test
gets a copy of, and the PostgreSQL schema that every test empties first.

In CI (``CI=true``) a test that needs PostgreSQL or Chromium fails instead of skipping.
"""
import hashlib
import os
import re
import shutil
import sqlite3

import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable

import store_app.models  # noqa: F401 -- the whole schema, for the fingerprints before any app exists
from store_app import create_app
from store_app.accounts.models import Address, User
from store_app.database import transaction, utcnow
from store_app.extensions import db, limiter
from store_app.geo.models import Building
from store_app.roles import Role
from store_app.stores.models import Store, StoreHours
from store_app.web.names import split_names

# Property tests check what is true, never how fast: on a shared, busy machine a 200 ms example
# is not a failure, so no example has a deadline (nor fails the "too slow" health check).
hypothesis_settings.register_profile("store", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("store")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _database_per_worker():
    """Under pytest-xdist each worker gets a PostgreSQL database of its own: ``<name>_<worker>``.

    Created on the same server when missing. The variable is rewritten before any test module reads
    it, so fixtures, tests and the processes they start all use the worker's database.
    """
    url, worker = os.environ.get("TEST_DATABASE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    from sqlalchemy.engine import make_url

    server = make_url(sqlalchemy_url(url))
    name = f"{server.database}_{worker}"
    # The server's maintenance database: the named one need not exist itself.
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    os.environ["TEST_DATABASE_URL"] = make_url(url).set(database=name).render_as_string(hide_password=False)
    return os.environ["TEST_DATABASE_URL"]


def sqlalchemy_url(url):
    """``postgresql://`` -> the psycopg 3 driver, as the app's config does."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


PG_URL = _database_per_worker()
PASSWORD = "correct-horse"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """Factory: ``sqlite_template()`` -> the path of an empty SQLite database with the models' schema.

    Built the first time a schema fingerprint is asked for (once per session), so each test copies a
    file instead of running ``create_all``. Never opened by a test: copy it first.
    """
    directory = tmp_path_factory.mktemp("sqlite-template")
    built = {}

    def template():
        fingerprint = _schema_fingerprint(sqlite_dialect.dialect())
        if fingerprint not in built:
            built[fingerprint] = _build_sqlite_template(directory / f"schema-{fingerprint[:16]}.sqlite3")
        return built[fingerprint]
    return template


def _build_sqlite_template(path):
    """Create the schema in a new SQLite file with the app's own ``create_all`` and return its path.

    The app's connections put a file database in WAL mode, where committed pages may still sit in
    ``-wal`` beside the file: with every connection closed, switching back to the rollback journal
    checkpoints them into the file itself, so a plain file copy is a complete database.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STORE_INSTANCE_PATH", str(path.parent))
        builder = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with builder.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    finally:
        conn.close()
    leftovers = [p.name for p in path.parent.glob(path.name + "-*")]
    assert not leftovers, f"the template is not one self-contained file: {leftovers}"
    return path


class SessionBytecodeCache(BytecodeCache):
    """Compiled templates in memory, shared by every app of the session.

    Each test builds its own app, and a new Jinja environment compiles every template it renders
    again (tens of milliseconds for a page). The apps are configured alike, so they can share the
    compiled code; a bucket carries its template's checksum, so an edited template is compiled afresh.
    """

    def __init__(self):
        self._code = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session")
def template_bytecode():
    """One ``SessionBytecodeCache`` for the test session's apps."""
    return SessionBytecodeCache()


@pytest.fixture
def app(db_backend, request, tmp_path, monkeypatch, template_bytecode):
    """A fresh app and empty schema for each test: its own copy of the SQLite template, or the
    PostgreSQL test database with every table emptied."""
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    if db_backend == "postgresql":
        request.getfixturevalue("pg_engine")
        uri = sqlalchemy_url(PG_URL)
    else:
        # A file, not :memory:: an in-memory database is one shared connection (StaticPool), so
        # two sessions in a test would share one transaction, unlike every real deployment.
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template")(), path)
        uri = f"sqlite:///{path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri})
    app.jinja_env.bytecode_cache = template_bytecode
    with app.app_context():
        if db_backend == "postgresql":
            _reset_postgres()
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_schema_ready = set()  # fingerprints whose PostgreSQL schema this session has checked
_fingerprints = {}  # dialect name -> fingerprint; the models do not change during a session


def _schema_fingerprint(dialect):
    """A hash of the DDL the models produce on ``dialect``, tables and their indexes (the partial
    unique ones are rules the tests rely on) and the DDL of their create events (triggers): a changed
    model means a rebuilt test schema.
    Computed once per dialect (it takes a few milliseconds: not for every test)."""
    if dialect.name not in _fingerprints:
        statements = []
        for table in db.metadata.sorted_tables:
            statements.append(CreateTable(table))
            statements += [CreateIndex(index) for index in sorted(table.indexes, key=lambda index: index.name)]
        ddl = "\n".join(str(statement.compile(dialect=dialect)) for statement in statements)
        # DDL the tables' create events run (triggers, functions, extensions) is part of the schema too.
        ddl += "\n".join(listener.statement for table in db.metadata.sorted_tables
                         for event_name in ("before_create", "after_create")
                         for listener in getattr(table.dispatch, event_name) if hasattr(listener, "statement"))
        _fingerprints[dialect.name] = hashlib.sha256(ddl.encode()).hexdigest()
    return _fingerprints[dialect.name]


def _reset_postgres():
    """Empty every table before a test; (re)build the schema when the models changed.

    DELETE in reverse dependency order is ~20x faster than TRUNCATE for small tables; ids keep
    counting up, so tests must not assume fixed ids.
    """
    fingerprint = _schema_fingerprint(db.engine.dialect)
    if fingerprint not in _schema_ready:
        with db.engine.begin() as conn:
            stored = None
            if "_test_schema" in inspect(conn).get_table_names():
                stored = conn.execute(text("SELECT fingerprint FROM _test_schema")).scalar()
            if stored != fingerprint:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                db.metadata.create_all(conn)
                conn.execute(text("CREATE TABLE _test_schema (fingerprint text)"))
                conn.execute(text("INSERT INTO _test_schema VALUES (:f)"), {"f": fingerprint})
        _schema_ready.add(fingerprint)
    with db.engine.begin() as conn:
        # A circle of foreign keys (coupons.campaign_id <-> campaigns.coupon_id, ``use_alter``) has
        # no delete order: the late-added side is cut first.
        for table in db.metadata.sorted_tables:
            late = [fk.parent for fk in table.foreign_keys if fk.constraint.use_alter and fk.parent.nullable]
            if late:
                conn.execute(table.update().values({column.name: None for column in late}))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


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
            name_zh, name_en = split_names(name)
            building.set_names(name_zh, list(aliases), name_en)
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


@pytest.fixture
def counted_code_nonces(monkeypatch):
    """Pickup codes derived from nonces that count up (``000...01``, ``000...02``...) instead of
    ``secrets``: the same codes on every run, so a test that needs two codes to differ does not
    fail on a one-in-a-million draw. Returns the list of nonces handed out so far."""
    from store_app.parcels import rules as parcel_rules

    handed_out = []

    def next_nonce():
        handed_out.append(f"{len(handed_out) + 1:032x}")
        return handed_out[-1]

    monkeypatch.setattr(parcel_rules, "new_code_nonce", next_nonce)
    return handed_out


# ---- web helpers -----------------------------------------------------------------------------

def csrf_token(client, path="/login"):
    """The CSRF token of the client's session, as its pages carry it, without fetching a page.

    Flask-WTF keeps a random secret in the session and puts that secret, signed, in every form and
    in the ``csrf-token`` meta tag; any such signature is accepted until the session ends. The
    token is signed here the same way (``flask_wtf.csrf.generate_csrf``). A client with no session
    yet opens ``path`` first, as a browser would; a session without a secret (logging in or out
    starts a new one) gets one made as the next page it opened would make it.
    ``page_csrf_token`` reads the token off a real page instead.
    """
    app = client.application
    secret = _session_csrf_secret(client)
    if secret is None:
        client.get(path)
        secret = _session_csrf_secret(client)
        assert secret, f"GET {path} started no session with a CSRF secret"
    signing_key = app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    return URLSafeTimedSerializer(signing_key, salt="wtf-csrf-token").dumps(secret)


def _session_csrf_secret(client):
    """The raw CSRF secret in the client's session cookie; a new one (as ``generate_csrf`` makes
    it) when the client has a session without one; None when it has no session at all."""
    field = client.application.config["WTF_CSRF_FIELD_NAME"]
    with client.session_transaction() as session:
        if session and field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        return session.get(field)


def with_csrf(client, data=None, path="/login"):
    """``data`` (a form as a dict) with the session's CSRF token in the field Flask-WTF reads."""
    return {**(data or {}), client.application.config["WTF_CSRF_FIELD_NAME"]: csrf_token(client, path)}


def page_csrf_token(client, path="/login"):
    """The CSRF token a page carries in its meta tag (what the pages' JavaScript sends), read off
    the page itself: for the tests of the pages' tokens; the others use ``csrf_token``."""
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no csrf meta tag on {path}"
    return match.group(1)


class AuthActions:
    """Log a test client in and out, the way a browser would (with CSRF tokens)."""

    def __init__(self, client):
        self.client = client

    def login(self, phone, password=PASSWORD, follow_redirects=False):
        return self.client.post("/login", data=with_csrf(self.client, {"phone": phone, "password": password}),
                                follow_redirects=follow_redirects)

    def logout(self):
        return self.client.post("/logout", data=with_csrf(self.client, path="/me"))

    def post(self, path, data=None, token_from="/me", **kwargs):
        """POST a form with this session's CSRF token (``token_from``: the page a fresh session opens)."""
        return self.client.post(path, data=with_csrf(self.client, data, token_from), **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


# ---- a shop that can take orders (cart, checkout, races, order board) ------------------------

SHOP_PRODUCTS = {  # key -> (name_zh, name_en, price_cents)
    "water": ("矿泉水", "Mineral water", 300),
    "noodles": ("方便面", "Instant noodles", 550),
    "milk": ("鲜牛奶", "Fresh milk", 1250),
}


class ShopIds:
    """What ``build_shop`` made, as plain ids (safe to use outside the app context)."""

    def __init__(self, **ids):
        self.__dict__.update(ids)

    def __repr__(self):
        return f"<ShopIds {self.__dict__}>"


def square_zone(lat, lon, half_deg):
    """A GeoJSON square ``half_deg`` around ``(lat, lon)`` (about 1.1 km per 0.01 degree of latitude)."""
    west, east, south, north = lon - half_deg, lon + half_deg, lat - half_deg, lat + half_deg
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def build_shop(*, stock=20, products=None, fee_cents=500, minimum_cents=0, couriers=1, hours=None,
               now=None, lat=31.2, lon=121.4, name="Test Store", zone_half_deg=0.01, promise_minutes=30):
    """A store that can deliver: a zone around it, ``couriers`` couriers on shift, a merchant, a category
    and ``products`` (key -> (zh, en, price_cents)) with ``stock`` each. ``hours`` is a list of
    ``(weekday, opens_min, closes_min)``, all day by default. Needs an app context; commits."""
    from datetime import timedelta

    from werkzeug.security import generate_password_hash

    from store_app.catalogue.models import Category, Merchant, Product
    from store_app.deliveries.models import CourierShift
    from store_app.geo.operations import save_zone

    now = now or utcnow()
    hours = [(d, 0, 1440) for d in range(7)] if hours is None else hours
    with transaction():
        store = Store(name=name, address="1 Test Rd", lat=lat, lon=lon, timezone="Asia/Shanghai",
                      phone="021-0000 0000", promise_minutes=promise_minutes)
        store.hours = [StoreHours(weekday=d, opens_min=o, closes_min=c) for d, o, c in hours]
        db.session.add(store)
        db.session.flush()
        zone = save_zone(store.id, name="Zone A", geojson=square_zone(lat, lon, zone_half_deg),
                         fee_cents=fee_cents, minimum_cents=minimum_cents, now=now)
        inside = Building(store_id=store.id, lat=lat + 0.0005, lon=lon + 0.0005)
        inside.set_names("", [], "Inside Tower")
        outside = Building(store_id=store.id, lat=lat + 0.05, lon=lon + 0.05)
        outside.set_names("", [], "Far Away Tower")
        merchant = Merchant(store_id=store.id, name=name, kind="store", lat=lat, lon=lon)
        category = Category(store_id=store.id, slug="daily", name_zh="日用", name_en="Daily")
        db.session.add_all([inside, outside, merchant, category])
        db.session.flush()
        items = {}
        for key, (zh, en, price) in (products or SHOP_PRODUCTS).items():
            items[key] = Product(store_id=store.id, merchant_id=merchant.id, category_id=category.id,
                                 name_zh=zh, name_en=en, price_cents=price, stock=stock)
        db.session.add_all(items.values())
        hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
        courier_ids = []
        for number in range(couriers):
            courier = User(store_id=store.id, phone=new_phone(), name=f"Courier {number}",
                           password_hash=hashed, role=Role.COURIER.value)
            db.session.add(courier)
            db.session.flush()
            db.session.add(CourierShift(store_id=store.id, courier_id=courier.id,
                                        started_at=now - timedelta(hours=1),
                                        planned_end_at=now + timedelta(hours=12)))
            courier_ids.append(courier.id)
        db.session.flush()
        return ShopIds(store_id=store.id, zone_id=zone.id, merchant_id=merchant.id, category_id=category.id,
                       products={key: p.id for key, p in items.items()}, inside_building_id=inside.id,
                       outside_building_id=outside.id, courier_ids=tuple(courier_ids))


def add_shopper(shop, *, balance_cents=10_000, building_id=None, phone=None, name="Shopper"):
    """A resident of ``shop`` living in ``building_id`` (inside the zone by default) with a funded
    wallet: ``ShopIds(user_id, phone, address_id)``. Needs an app context; commits."""
    from werkzeug.security import generate_password_hash

    from store_app.wallet.operations import credit

    with transaction():
        user = User(store_id=shop.store_id, phone=phone or new_phone(), name=name, role=Role.RESIDENT.value,
                    password_hash=generate_password_hash(PASSWORD, method="scrypt:1024:8:1"))
        address = Address(store_id=shop.store_id, building_id=building_id or shop.inside_building_id,
                          unit="2-1202", is_default=True)
        user.addresses.append(address)
        db.session.add(user)
        db.session.flush()
        if balance_cents:
            credit(user.id, shop.store_id, balance_cents, "topup", now=utcnow())
        return ShopIds(user_id=user.id, phone=user.phone, address_id=address.id)


def fill_cart(user_id, quantities):
    """Put ``{product_id: quantity}`` in the resident's cart, in that order. Needs an app context; commits."""
    from store_app.orders.cart import add_to_cart

    with transaction():
        user = db.session.get(User, user_id)
        for product_id, quantity in quantities.items():
            add_to_cart(user, product_id, quantity, now=utcnow())


@pytest.fixture
def create_shop(app):
    """Factory: ``create_shop(stock=20, minimum_cents=0, couriers=1, hours=None, ...)`` -> ``ShopIds``."""
    def factory(**options):
        with app.app_context():
            return build_shop(**options)
    return factory


@pytest.fixture
def create_shopper(app):
    """Factory: ``create_shopper(shop, balance_cents=10_000, building_id=None)`` -> ``ShopIds``
    (``user_id``, ``phone``, ``address_id``); the password is ``PASSWORD``."""
    def factory(shop, **options):
        with app.app_context():
            return add_shopper(shop, **options)
    return factory


# ---- orders through the real checkout, partner merchants (order board, couriers, partners) ----------

PARTNER_PRODUCTS = {"apples": ("苹果", "Apples", 1500), "pears": ("梨", "Pears", 900)}


def add_partner(shop, *, name="Fruit Corner", kind="fruit", products=None, stock=20, prep_minutes=10):
    """A partner merchant of ``shop`` with a shelf category of its own, ``products`` (key -> (zh, en,
    price_cents)) and a secret link: ``ShopIds(merchant_id, category_id, token, products)``.
    Needs an app context; commits."""
    import secrets

    from store_app.catalogue.models import Category, Merchant, Product

    with transaction():
        merchant = Merchant(store_id=shop.store_id, name=name, kind=kind, lat=31.2003, lon=121.4003,
                            prep_minutes=prep_minutes, access_token=secrets.token_urlsafe(32))
        category = Category(store_id=shop.store_id, slug=f"partner-{kind}-{secrets.token_hex(3)}",
                            name_zh=name, name_en=name, position=9)
        db.session.add_all([merchant, category])
        db.session.flush()
        items = {key: Product(store_id=shop.store_id, merchant_id=merchant.id, category_id=category.id,
                              name_zh=zh, name_en=en, price_cents=price, stock=stock)
                 for key, (zh, en, price) in (products or PARTNER_PRODUCTS).items()}
        db.session.add_all(items.values())
        db.session.flush()
        return ShopIds(merchant_id=merchant.id, category_id=category.id, token=merchant.access_token,
                       products={key: p.id for key, p in items.items()})


def place_test_order(shopper, quantities, *, payment_method="wallet", note="", now=None):
    """Fill the shopper's cart with ``{product_id: quantity}`` and check out through ``place_order``
    (delivery now, default address); returns the order id. Needs an app context; commits."""
    from store_app.orders.checkout import new_idempotency_key, place_order

    fill_cart(shopper.user_id, quantities)
    with transaction():
        order, created = place_order(db.session.get(User, shopper.user_id), address_id=shopper.address_id,
                                     payment_method=payment_method, idempotency_key=new_idempotency_key(),
                                     now=now or utcnow(), note=note)
        assert created
        return order.id


@pytest.fixture
def create_partner(app):
    """Factory: ``create_partner(shop, name="Fruit Corner", kind="fruit", ...)`` -> ``ShopIds``
    (``merchant_id``, ``category_id``, ``token``, ``products``)."""
    def factory(shop, **options):
        with app.app_context():
            return add_partner(shop, **options)
    return factory


@pytest.fixture
def create_order(app):
    """Factory: ``create_order(shopper, {product_id: quantity}, payment_method="wallet", note="")`` -> order
    id, placed through the real cart and checkout (the shop needs a zone and a courier on shift:
    ``create_shop`` makes both)."""
    def factory(shopper, quantities, **options):
        with app.app_context():
            return place_test_order(shopper, quantities, **options)
    return factory
