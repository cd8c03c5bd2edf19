"""The one commit point and the aware-UTC column type, on SQLite and on PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.stores.models import Store

CST = timezone(timedelta(hours=8))


def new_store(name="UTC Test Store", **kwargs):
    return Store(name=name, address="1 Test Rd", lat=31.2, lon=121.4, timezone="Asia/Shanghai", **kwargs)


def store_names():
    """Store names as a fresh session sees them (nothing cached from the test's own session)."""
    db.session.remove()
    return sorted(db.session.scalars(db.select(Store.name)))


# ---- UTCDateTime -----------------------------------------------------------------------------

def test_naive_datetime_is_refused(app_ctx):
    db.session.add(new_store(created_at=datetime(2024, 3, 1, 8, 0)))
    with pytest.raises(StatementError) as info:
        db.session.flush()
    assert isinstance(info.value.orig, ValueError)
    assert "naive datetime" in str(info.value.orig)
    db.session.rollback()
    assert store_names() == []


def test_naive_datetime_is_refused_inside_transaction_and_nothing_is_kept(app_ctx):
    with pytest.raises(StatementError):
        with transaction():
            db.session.add(new_store("kept?"))
            db.session.flush()
            db.session.add(new_store("naive", created_at=datetime(2024, 3, 1, 8, 0)))
    assert store_names() == []


def test_aware_datetime_comes_back_as_the_same_instant_in_utc(app_ctx):
    written = datetime(2024, 3, 1, 8, 30, 15, 123456, tzinfo=CST)
    with transaction():
        store = new_store(created_at=written)
        db.session.add(store)
        db.session.flush()
        store_id = store.id

    db.session.remove()
    read = db.session.get(Store, store_id).created_at
    assert read == written
    assert read.tzinfo == timezone.utc
    assert read.utcoffset() == timedelta(0)
    assert (read.year, read.month, read.day, read.hour, read.minute) == (2024, 3, 1, 0, 30)
    assert read.microsecond == 123456


def test_stored_value_is_utc_on_the_wire(app_ctx):
    with transaction():
        db.session.add(new_store(created_at=datetime(2024, 3, 1, 8, 0, tzinfo=CST)))
    raw = db.session.execute(text("SELECT created_at FROM stores")).scalar_one()
    if db.engine.dialect.name == "sqlite":
        # SQLite keeps no zone: what is stored must already be UTC.
        assert str(raw).startswith("2024-03-01 00:00:00")
    else:
        assert raw == datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("db_backend", ["postgresql"])  # only PostgreSQL has a session time zone
def test_utc_values_survive_a_session_time_zone(app_ctx):
    with transaction():
        db.session.add(new_store(created_at=datetime(2024, 3, 1, 8, 0, tzinfo=CST)))
    db.session.execute(text("SET TIME ZONE 'America/New_York'"))
    read = db.session.scalars(db.select(Store.created_at)).one()
    assert read == datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc)
    assert read.tzinfo == timezone.utc
    db.session.rollback()


def test_none_round_trips_and_default_is_aware(app_ctx):
    from store_app.accounts.models import User

    with transaction():
        store = new_store()
        db.session.add(store)
        db.session.flush()
        user = User(store_id=store.id, phone="+8613800138000", name="A", password_hash="x")
        db.session.add(user)
        db.session.flush()
        user_id = user.id
    db.session.remove()
    user = db.session.get(User, user_id)
    assert user.last_login_at is None
    assert user.created_at.tzinfo == timezone.utc
    assert abs(utcnow() - user.created_at) < timedelta(minutes=5)


# ---- transaction() ---------------------------------------------------------------------------

def test_transaction_commits_on_success(app_ctx):
    with transaction() as session:
        assert session is db.session
        db.session.add(new_store("committed"))
    assert store_names() == ["committed"]


class Boom(Exception):
    pass


def test_transaction_rolls_back_on_exception(app_ctx):
    with pytest.raises(Boom):
        with transaction():
            db.session.add(new_store("flushed then lost"))
            db.session.flush()  # the row reached the database inside the transaction
            raise Boom
    assert store_names() == []


def test_session_is_usable_after_a_rollback(app_ctx):
    with pytest.raises(Boom):
        with transaction():
            db.session.add(new_store("lost"))
            raise Boom
    with transaction():
        db.session.add(new_store("kept"))
    assert store_names() == ["kept"]


def test_failed_commit_rolls_back_and_raises(app_ctx):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with transaction():
            db.session.add(new_store("fine"))
            db.session.add(new_store("bad promise", promise_minutes=0))  # check constraint
    assert store_names() == []
