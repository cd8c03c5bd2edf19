"""`flask db upgrade` builds the schema the models describe, on SQLite and on PostgreSQL.

These tests do not use the ``app`` fixture (it builds the schema with ``create_all``): each one makes
a fresh, empty database, lets Alembic build it, then asks Alembic's autogenerate whether the
models and the database still differ. Any difference means a migration is missing or wrong.
"""
import logging
import os
import secrets
import warnings
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from store_app import create_app
from store_app.config import database_url
from store_app.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def skip_or_fail(reason):
    """Skip locally; in CI a missing database is a failure, not a skip (as in tests/conftest.py)."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def restore_logging():
    """Put logging back as it was: Alembic's env.py calls ``logging.config.fileConfig``.

    fileConfig replaces the root handlers (and, without ``disable_existing_loggers=False``, would
    disable every existing logger), which would leak into every test that runs after this module.
    """
    root = logging.getLogger()
    saved_root = (root.level, root.handlers[:], root.disabled)
    saved = {name: (lg.level, lg.handlers[:], lg.disabled, lg.propagate)
             for name, lg in logging.root.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    root.disabled = saved_root[2]
    for name, lg in list(logging.root.manager.loggerDict.items()):
        if not isinstance(lg, logging.Logger):
            continue
        if name in saved:
            lg.level, lg.handlers[:], lg.disabled, lg.propagate = saved[name]
        else:
            lg.disabled = False


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


@pytest.fixture(scope="module")
def postgres_database():
    """A brand-new PostgreSQL database on the TEST_DATABASE_URL server, dropped after this module.

    One per module rather than per test: DROP DATABASE waits for a checkpoint and takes seconds.
    """
    if not PG_URL:
        skip_or_fail("TEST_DATABASE_URL is not set")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", PG_URL)
        server_url = make_url(database_url())  # the same driver the app uses (psycopg 3)
    name = f"test_migrations_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if conn.dialect.server_version_info >= (13,) else ""
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_database):
    """The module's PostgreSQL database, emptied: no tables, no alembic_version."""
    engine = create_engine(postgres_database)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, tmp_path, monkeypatch):
    """An app on an empty database (no tables at all), disposed of afterwards."""
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        assert table_names() == set(), "the database should start empty"
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def table_names():
    return set(inspect(db.engine).get_table_names())


def schema_diff():
    """What autogenerate would put in a new migration: empty when the database matches the models."""
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), db.metadata)


def current_revision():
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision():
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def test_upgrade_builds_the_schema_of_the_models(fresh_app):
    with fresh_app.app_context():
        upgrade()
        assert table_names() == set(db.metadata.tables) | {"alembic_version"}
        assert current_revision() == head_revision()
        assert schema_diff() == []


def test_upgrade_twice_is_a_no_op(fresh_app):
    with fresh_app.app_context():
        upgrade()
        upgrade()
        assert current_revision() == head_revision()
        assert schema_diff() == []


def test_downgrade_to_base_then_upgrade_again(fresh_app):
    with fresh_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert table_names() == {"alembic_version"}
        assert current_revision() is None
        upgrade()
        assert current_revision() == head_revision()
        assert schema_diff() == []


def test_migrated_schema_accepts_the_models(fresh_app):
    """A quick write through the ORM: constraints and server-side details line up with the models."""
    from store_app.database import transaction
    from store_app.stores.models import Store, StoreHours

    with fresh_app.app_context():
        upgrade()
        with transaction():
            store = Store(name="Migrated", lat=31.2, lon=121.4)
            store.hours = [StoreHours(weekday=0, opens_min=420, closes_min=1380)]
            db.session.add(store)
        db.session.remove()
        assert db.session.scalars(db.select(Store.name)).all() == ["Migrated"]


@pytest.mark.parametrize("fresh_app", ["sqlite"], indirect=True)
def test_upgrade_leaves_the_app_loggers_enabled(fresh_app):
    app_logger = logging.getLogger("store_app.geo.geocoding")
    assert not app_logger.disabled
    with fresh_app.app_context():
        upgrade()
    assert not app_logger.disabled


# The stock Flask-Migrate env.py called the deprecated ``db.get_engine()``. Every warning is
# recorded here (not only those setup.cfg's filterwarnings turns into errors).
@pytest.mark.parametrize("fresh_app", ["sqlite"], indirect=True)
def test_upgrade_is_warning_free(fresh_app):
    with fresh_app.app_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upgrade()
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    with fresh_app.app_context():
        assert "alembic_version" in table_names()  # it did upgrade


# 20261206_1400: products and categories that existed before get the pinyin of their Chinese names.
def test_the_pinyin_migration_fills_existing_rows(fresh_app):
    with fresh_app.app_context():
        upgrade(revision="9b1f3c2d4e5a")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO stores (id, name, address, lat, lon, timezone, phone, promise_minutes, "
                              "created_at) VALUES (1, 'S', 'A', 31.2, 121.4, 'Asia/Shanghai', '', 30, :at)"),
                         {"at": "2026-12-06 10:00:00+00:00"})
            conn.execute(text("INSERT INTO categories (id, store_id, slug, name_zh, name_en, position) "
                              "VALUES (1, 1, 'dairy', '乳品', 'Dairy', 0)"))
            conn.execute(text("INSERT INTO merchants (id, store_id, name, kind, lat, lon, phone, opens_min, "
                              "closes_min, prep_minutes) VALUES (1, 1, 'S', 'store', 31.2, 121.4, '', 0, 1440, 0)"))
            conn.execute(text("INSERT INTO products (id, store_id, merchant_id, category_id, name_zh, name_en, "
                              "price_cents, stock, unit_label, is_active, created_at, updated_at) VALUES "
                              "(1, 1, 1, 1, '纯牛奶', 'Milk', 100, 1, '', :yes, :at, :at)"),
                         {"yes": True, "at": "2026-12-06 10:00:00+00:00"})
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT search_pinyin, picture FROM products")).one() == (
                "chunniunai|chun niu nai|cnn", None)
            assert conn.execute(text("SELECT search_pinyin FROM categories")).scalar() == "rupin|ru pin|rp"


# 20261206_1949 and 20261206_2005: the marketplace's no-double-booking rule lives in the migrated
# schema itself (an exclusion constraint on PostgreSQL, with writers queued per crew; triggers on
# SQLite), not only in what create_all builds.
def test_the_migrated_schema_refuses_a_double_booking(fresh_app):
    from store_app.accounts.models import User
    from store_app.database import transaction
    from store_app.stores.models import Store
    from tests.integration.test_service_booking_constraint import BLOCK, NINE, raw_insert, raw_update, refused
    from tests.services_support import add_category, add_offering, add_vendor

    with fresh_app.app_context():
        upgrade()
        with transaction():
            store = Store(name="Migrated", lat=31.2, lon=121.4)
            db.session.add(store)
            db.session.flush()
            resident = User(store_id=store.id, phone="+8613900009999", name="R", password_hash="x", role="resident")
            db.session.add(resident)
            category = add_category(store.id)
            vendor = add_vendor(store.id, [category], crews=2)
            offering = add_offering(vendor, category)
            ids = {"store_id": store.id, "resident_id": resident.id, "category_id": category.id,
                   "vendor_id": vendor.id, "offering_id": offering.id, "crews": [c.id for c in vendor.crews]}
        first = raw_insert(ids, NINE)
        refused(lambda: raw_insert(ids, NINE + BLOCK - timedelta(minutes=1)))
        raw_insert(ids, NINE + BLOCK)  # touching end-to-start
        raw_insert(ids, NINE, crew=1)  # the same time on the other crew
        raw_insert(ids, NINE, status="cancelled")
        refused(lambda: raw_update(first, crew_id=ids["crews"][1]))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM service_bookings")).scalar() == 4
            if conn.dialect.name == "postgresql":  # writers of one crew queue: a race never deadlocks
                assert conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname = 'no_double_booking_lock'"
                                         )).scalar() == 1
        db.session.remove()
