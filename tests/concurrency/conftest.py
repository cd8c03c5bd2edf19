"""Fixtures of the PostgreSQL race tests: one app per module whose pool has a connection for every
thread at once (a module sets ``POOL_SIZE``), and an ``app`` with empty tables for each test.

Needs TEST_DATABASE_URL: skipped locally without it, a failure in CI.
"""
import fcntl
import os
import tempfile
from pathlib import Path

import pytest

from store_app import create_app
from store_app.extensions import db
from tests.conftest import PG_URL, _reset_postgres, skip_or_fail, sqlalchemy_url

DEFAULT_POOL_SIZE = 20


@pytest.fixture(scope="module")
def one_race_module_at_a_time():
    """Race modules hold up to 50 connections each for their lifetime; the suite's workers share one
    server (100 connections by default), so they take turns: an exclusive lock on a file in the temp
    folder, one per server, held for the module."""
    server = PG_URL.split("@")[-1].split("/")[0].replace(":", "_")
    path = Path(tempfile.gettempdir()) / f"community-store-race-modules-{server}.lock"
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@pytest.fixture(scope="module")
def race_app(request):
    """One app for the whole module, with a pool big enough for every thread at once."""
    if not PG_URL:
        skip_or_fail("concurrency tests need PostgreSQL: set TEST_DATABASE_URL")
    request.getfixturevalue("one_race_module_at_a_time")
    pool_size = getattr(request.module, "POOL_SIZE", DEFAULT_POOL_SIZE)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(PG_URL),
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 20}})
    yield app
    with app.app_context():
        db.session.remove()
        _reset_postgres()
        db.engine.dispose()


@pytest.fixture
def app(race_app):
    """The module's app with empty tables."""
    with race_app.app_context():
        _reset_postgres()
    return race_app
