"""A database that cannot be reached (restarting, failing over) is answered 503 with ``Retry-After``, a
page or JSON in the user's language, never a 500; once it is back, the same client is served again.

Here the outage is every statement failing as a dropped connection does (``OperationalError``);
the real restart, under gunicorn, is ``tests/concurrency/test_drills.py``.
"""
import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from store_app.extensions import db
from store_app.roles import Role

ZH_TITLE = "系统正在短暂维护，请稍等片刻再试。"
EN_TITLE = "The store is briefly unavailable. Please try again in a moment."


@pytest.fixture
def outage(app):
    """Call ``outage.start()`` / ``outage.stop()``: while started, every statement fails like a lost server."""
    with app.app_context():
        engine = db.engine

    def refuse(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))

    class Outage:
        def start(self):
            event.listen(engine, "before_cursor_execute", refuse)

        def stop(self):
            event.remove(engine, "before_cursor_execute", refuse)

    switch = Outage()
    yield switch
    if event.contains(engine, "before_cursor_execute", refuse):
        switch.stop()


def test_a_signed_in_resident_gets_a_clean_503_in_their_language_and_is_served_again(client, auth, community,
                                                                                     outage, caplog):
    assert auth.login(community["users"][Role.RESIDENT][1]).status_code == 302
    assert client.get("/orders", headers={"Accept-Language": "zh"}).status_code == 200

    outage.start()
    response = client.get("/orders", headers={"Accept-Language": "zh"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert ZH_TITLE in page and EN_TITLE not in page
    client.set_cookie("lang", "en")
    response = client.get("/orders")
    assert response.status_code == 503 and EN_TITLE in response.get_data(as_text=True)
    assert ZH_TITLE not in response.get_data(as_text=True)
    assert "Traceback" not in caplog.text
    assert any("the database cannot be reached" in r.getMessage() for r in caplog.records)

    outage.stop()
    assert client.get("/orders").status_code == 200  # the same session, served again


def test_the_api_answers_503_as_json_in_the_users_language(client, community, outage):
    outage.start()
    response = client.get("/api/v1/stores", headers={"Accept-Language": "zh"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {"error": ZH_TITLE, "status": 503}
    response = client.get("/api/v1/stores", headers={"Accept-Language": "en"})
    assert response.get_json() == {"error": EN_TITLE, "status": 503}
    outage.stop()
    assert client.get("/api/v1/stores").status_code == 200


def test_an_sqlite_error_that_is_a_bug_stays_a_500(app, client):
    """Only "the database is away" is a 503: a missing table is a bug, answered 500 like any other."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answered as in production, not raised into the test
    with app.app_context():
        engine = db.engine

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: stores"))

    event.listen(engine, "before_cursor_execute", broken)
    try:
        response = client.get("/api/v1/stores")
    finally:
        event.remove(engine, "before_cursor_execute", broken)
    assert response.status_code == 500 and "Retry-After" not in response.headers
