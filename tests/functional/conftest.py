"""Helpers for the functional (test client) tests: counting rows, reading pages, extra clients."""
import re

import pytest

from store_app.extensions import db
from tests.conftest import PASSWORD, AuthActions, with_csrf

HTML_LANG_RE = re.compile(r'<html lang="([^"]+)"')
CSRF_VALUE_RE = re.compile(r'(name="csrf[-_]token"[^>]*(?:content|value)=")[^"]+(")')


def html_lang(response):
    """The ``lang`` attribute of the page's ``<html>`` element."""
    match = HTML_LANG_RE.search(response.get_data(as_text=True))
    assert match, "no <html lang=...> on the page"
    return match.group(1)


def text_of(response):
    """The page as text, CSRF tokens blanked out (they differ from one request to the next)."""
    return CSRF_VALUE_RE.sub(r"\1-\2", response.get_data(as_text=True))


def input_value(response, name):
    """The ``value`` of the ``<input name=...>`` on the page ('' if it has none), None if no such input."""
    page = response.get_data(as_text=True)
    tag = re.search(r'<input[^>]*\bname="%s"[^>]*>' % re.escape(name), page)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def selected_option(response, name):
    """The value of the selected ``<option>`` of ``<select name=...>``, or None."""
    page = response.get_data(as_text=True)
    select = re.search(r'<select[^>]*\bname="%s"[^>]*>(.*?)</select>' % re.escape(name), page, re.S)
    assert select, f"no <select name={name}>"
    chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                       select.group(1))
    return (chosen.group(1) or chosen.group(2)) if chosen else None


def option_values(response, name):
    """The values of the options of ``<select name=...>`` (without the empty placeholder)."""
    page = response.get_data(as_text=True)
    select = re.search(r'<select[^>]*\bname="%s"[^>]*>(.*?)</select>' % re.escape(name), page, re.S)
    assert select, f"no <select name={name}>"
    return [v for v in re.findall(r'<option[^>]*value="([^"]*)"', select.group(1)) if v]


@pytest.fixture
def count(app):
    """``count(Model, *conditions)`` -> how many rows match, read from the database."""
    def counter(model, *conditions):
        with app.app_context():
            stmt = db.select(db.func.count()).select_from(model)
            if conditions:
                stmt = stmt.where(*conditions)
            return db.session.scalar(stmt)
    return counter


@pytest.fixture
def fetch(app):
    """``fetch(Model, id)`` -> a detached copy of the row's column values as a dict (or None)."""
    def getter(model, row_id):
        with app.app_context():
            row = db.session.get(model, row_id)
            if row is None:
                return None
            return {column.key: getattr(row, column.key) for column in model.__table__.columns}
    return getter


def client_from(app, remote_addr=None):
    """A fresh test client, optionally coming from another client address."""
    client = app.test_client()
    if remote_addr:
        client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


@pytest.fixture
def login_client(app):
    """Factory: ``login_client(phone, password=PASSWORD, remote_addr=None)`` -> a fresh client, logged in."""
    def factory(phone, password=PASSWORD, remote_addr=None):
        client = client_from(app, remote_addr)
        response = AuthActions(client).login(phone, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return client
    return factory


def post_form(client, path, data=None, token_from="/me", **kwargs):
    """POST a form from ``client`` with its session's CSRF token (``token_from``: the page a fresh
    session opens first to get one; a session that has one fetches nothing)."""
    return client.post(path, data=with_csrf(client, data, token_from), **kwargs)


def is_logged_out(client):
    """True when the client's session no longer carries a user (``/me`` sends it to login)."""
    response = client.get("/me")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _compile_catalogs():
    """Compile each ``.po`` into its ``.mo`` unless the ``.mo`` is newer (as ``make translations``)."""
    import os
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    translations = Path(__file__).resolve().parents[2] / "store_app" / "translations"
    for po_path in translations.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as po:
            catalog = read_po(po, locale=po_path.parts[-3])
        partial = mo_path.with_name(f".messages.{os.getpid()}.tmp.mo")  # *.mo: ignored by git
        with open(partial, "wb") as mo:
            write_mo(mo, catalog, use_fuzzy=True)
        os.replace(partial, mo_path)  # atomic: a parallel run never reads half a file


@pytest.fixture(scope="session")
def compiled_catalogs():
    """The compiled catalogues, for tests that read Chinese text (a fresh clone has no ``.mo``)."""
    _compile_catalogs()
