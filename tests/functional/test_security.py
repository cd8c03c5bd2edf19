"""The security defaults of DESIGN.md, seen from outside: CSRF, login rate limits, the session
cookie, session versions, role guards, redirects, headers, request size and error pages."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import generate_password_hash

from store_app import create_app
from store_app.config import load_config
from store_app.accounts.models import Address, User
from store_app.extensions import db
from store_app.roles import Role
from store_app.stores.models import Store
from tests.conftest import PASSWORD, PG_URL, csrf_token, page_csrf_token

from .conftest import client_from, html_lang, input_value, is_logged_out, post_form

TOO_MANY = "Too many login attempts. Please wait 15 minutes and try again."


def _login(client, phone, password=PASSWORD, **kwargs):
    return post_form(client, "/login", {"phone": phone, "password": password}, token_from="/login", **kwargs)


# ---- CSRF ------------------------------------------------------------------------------------

def test_forms_without_a_csrf_token_are_refused_and_change_nothing(app, community, count, login_client,
                                                                   subtests):
    b1 = str(community["buildings"][0])
    resident_id, resident_phone = community["users"][Role.RESIDENT]

    with subtests.test("register"):
        client = app.test_client()
        client.get("/register")  # a session exists: only the token is missing
        before = count(User)
        response = client.post("/register", data={"phone": "139 2222 4444", "name": "No Token",
                                                  "password": "lotus-garden-42", "building_id": b1,
                                                  "unit": "1"})
        assert response.status_code == 400
        assert count(User) == before

    with subtests.test("login"):
        client = app.test_client()
        client.get("/login")
        response = client.post("/login", data={"phone": resident_phone, "password": PASSWORD})
        assert response.status_code == 400
        assert is_logged_out(client)

    with subtests.test("add an address"):
        client = login_client(resident_phone)
        before = count(Address, Address.user_id == resident_id)
        response = client.post("/me/addresses", data={"building_id": b1, "unit": "9-9", "label": ""})
        assert response.status_code == 400
        assert count(Address, Address.user_id == resident_id) == before

    with subtests.test("logout"):
        client = login_client(resident_phone)
        assert client.post("/logout").status_code == 400
        assert client.get("/me").status_code == 200, "a forged logout must not end the session"

    with subtests.test("language"):
        client = app.test_client()
        client.get("/login")
        assert client.post("/lang", data={"lang": "en"}).status_code == 400
        assert client.get_cookie("lang") is None

    with subtests.test("another session's token"):
        before = count(Address, Address.user_id == resident_id)
        victim = login_client(resident_phone)
        attacker = app.test_client()
        stolen = csrf_token(attacker, "/login")
        response = victim.post("/me/addresses", data={"building_id": b1, "unit": "9-9", "label": "",
                                                      "csrf_token": stolen})
        assert response.status_code == 400
        assert count(Address, Address.user_id == resident_id) == before


def test_the_token_a_page_carries_is_the_one_its_forms_need(app, community):
    """The pages' own tokens, read off the pages (the other tests sign the session's secret instead
    of fetching a page before every POST): the meta tag's and a form's hidden field are accepted,
    and they carry the secret that ``csrf_token`` signs."""
    _, phone = community["users"][Role.RESIDENT]
    client = app.test_client()
    meta_token = page_csrf_token(client, "/login")
    serializer = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key), salt="wtf-csrf-token")
    assert serializer.loads(meta_token) == serializer.loads(csrf_token(client))

    response = client.post("/login", data={"phone": phone, "password": PASSWORD, "csrf_token": meta_token})
    assert (response.status_code, response.headers["Location"]) == (302, "/shop")

    field_token = input_value(client.get("/me"), "csrf_token")
    assert field_token and serializer.loads(field_token) == serializer.loads(csrf_token(client))
    assert client.post("/logout", data={"csrf_token": field_token}).status_code == 302
    assert is_logged_out(client)


def test_a_csrf_failure_is_a_page_in_the_users_language(client, community):
    client.set_cookie("lang", "en")
    client.get("/login")

    response = client.post("/login", data={"phone": "138 0013 8000", "password": PASSWORD})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form expired or was sent from elsewhere. Please try again." in page
    assert html_lang(response) == "en"


# ---- login rate limits -----------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_from_that_address_only(app, client, community, login_client):
    _, phone = community["users"][Role.RESIDENT]
    national = phone[3:]
    client.set_cookie("lang", "en")
    # Five misses in five spellings of the same number: the limit counts the account, not the text.
    for typed in (phone, national, f"{national[:3]} {national[3:7]} {national[7:]}", f"+86 {national}",
                  f"0086{national}"):
        assert _login(client, typed, "wrong-password").status_code == 200, typed

    response = _login(client, f"{national[:3]}-{national[3:7]}-{national[7:]}", PASSWORD)

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert TOO_MANY in page
    assert html_lang(response) == "en"
    assert input_value(response, "phone") == f"{national[:3]}-{national[3:7]}-{national[7:]}"
    assert input_value(response, "password") == ""
    assert is_logged_out(client)
    # The real owner, from their own phone's address, is not locked out by a guesser elsewhere.
    login_client(phone, remote_addr="10.9.9.9")
    login_client(community["users"][Role.STAFF][1])  # other accounts are not locked


def test_guesses_from_many_addresses_protect_the_account_as_a_last_resort(app, community, login_client):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "6 per hour"
    _, phone = community["users"][Role.RESIDENT]
    for n in range(6):  # a botnet: one or two guesses per address, never the per-address limit
        assert _login(client_from(app, f"10.1.0.{n}"), phone, "wrong-password").status_code == 200

    owner = client_from(app, "10.2.0.1")
    owner.set_cookie("lang", "en")
    response = _login(owner, phone, PASSWORD)

    assert response.status_code == 429
    assert "protected for an hour" in response.get_data(as_text=True)
    assert input_value(response, "phone") == phone
    assert is_logged_out(owner)
    login_client(community["users"][Role.STAFF][1], remote_addr="10.2.0.1")  # only that account is protected


def test_a_successful_login_does_not_count_toward_the_account_limit(app, community, login_client):
    _, phone = community["users"][Role.RESIDENT]
    client = app.test_client()
    for _ in range(4):
        assert _login(client, phone, "wrong-password").status_code == 200
    for _ in range(3):
        login_client(phone)  # asserts a 302 each time

    assert _login(client, phone, "wrong-password").status_code == 200, "only four misses so far"
    assert _login(client, phone, PASSWORD).status_code == 429, "the fifth miss reached the limit"


def test_many_phones_from_one_address_are_limited_per_address(app, community, login_client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    _, resident_phone = community["users"][Role.RESIDENT]
    attacker = client_from(app, "10.0.0.7")
    for n in range(3):
        assert _login(attacker, f"139 7777 000{n}", "guess").status_code == 200

    response = _login(attacker, resident_phone, PASSWORD)

    assert response.status_code == 429
    assert is_logged_out(attacker)
    login_client(resident_phone, remote_addr="10.0.0.8")  # another address is not limited


def test_a_successful_login_does_not_count_toward_the_address_limit(app, community, login_client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    address = "10.0.0.9"
    client = client_from(app, address)
    for n in range(2):
        assert _login(client, f"139 7777 001{n}", "guess").status_code == 200
    for role in (Role.RESIDENT, Role.STAFF, Role.COURIER, Role.OWNER):
        login_client(community["users"][role][1], remote_addr=address)

    assert _login(client, "139 7777 0020", "guess").status_code == 200, "only two misses so far"
    assert _login(client, "139 7777 0021", "guess").status_code == 429


# ---- the session cookie ----------------------------------------------------------------------

def _cookie_headers(response, name):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


def _attributes(header):
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else True) for p in parts}


def csrf_token_from(response):
    return re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.fixture
def production(app, db_backend, tmp_path, monkeypatch):
    """Factory: an app built with ProductionConfig from the environment, on the test's database,
    with its schema and one owner (phone +8613900099999). Disposed of after the test."""
    built = []

    def factory(**env):
        monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-" + "x" * 32)
        monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")  # the test client is one process
        monkeypatch.setenv("DATABASE_URL",
                           PG_URL if db_backend == "postgresql" else f"sqlite:///{tmp_path}/prod.db")
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        prod = create_app("production")
        built.append(prod)
        with prod.app_context():
            db.create_all()  # a new SQLite file; on PostgreSQL the schema exists already (checkfirst)
            if db.session.scalar(db.select(User.id).where(User.phone == "+8613900099999")) is None:
                store = Store(name="Prod Store", lat=31.2, lon=121.4)
                db.session.add(store)
                db.session.flush()
                db.session.add(User(store_id=store.id, phone="+8613900099999", name="Prod Owner",
                                    role=Role.OWNER.value,
                                    password_hash=generate_password_hash(PASSWORD, method="scrypt:1024:8:1")))
                db.session.commit()
        return prod

    yield factory
    for prod in built:
        with prod.app_context():
            db.session.remove()
            db.engine.dispose()


HTTPS = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}


def test_production_cookie_is_host_only_secure_httponly_lax(production):
    prod = production(FLASK_DEBUG="1")  # even then: no debug in production
    assert prod.debug is False and prod.config["DEBUG"] is False
    assert prod.config["MAX_CONTENT_LENGTH"]
    client = prod.test_client()
    page = client.get("/login", **HTTPS)
    before = _cookie_headers(page, "__Host-session")
    assert before, "the CSRF token lives in the session, so the login page sets the cookie"

    response = client.post("/login", data={"phone": "+8613900099999", "password": PASSWORD,
                                           "csrf_token": csrf_token_from(page)}, **HTTPS)

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"] == "/owner"
    (header,) = _cookie_headers(response, "__Host-session")
    attributes = _attributes(header)
    assert attributes.get("secure") is True
    assert attributes.get("httponly") is True
    assert attributes.get("path") == "/"
    assert attributes.get("samesite", "").lower() == "lax"
    assert "domain" not in attributes
    assert not _cookie_headers(response, "session")
    assert header.split(";")[0] != before[0].split(";")[0], "a new session after login"
    owner_page = client.get("/owner", base_url="https://localhost")
    assert owner_page.status_code == 200

    switched = client.post("/lang", data={"lang": "en", "csrf_token": csrf_token_from(owner_page)}, **HTTPS)
    (lang,) = _cookie_headers(switched, "lang")
    assert {"secure", "httponly"} <= set(_attributes(lang))


def test_production_honours_proxy_fix_x_for_from_the_environment(production):
    prod = production(PROXY_FIX_X_FOR="1")
    prod.config["LOGIN_LIMIT_PER_ADDRESS"] = "2 per 15 minutes"

    def attempt(forwarded_for, phone):
        client = prod.test_client()
        page = client.get("/login", **HTTPS)
        form = {"phone": phone, "password": "guess", "csrf_token": csrf_token_from(page)}
        return client.post("/login", data=form, base_url="https://localhost",
                           headers={"Referer": "https://localhost/login", "X-Forwarded-For": forwarded_for})

    assert attempt("203.0.113.5", "139 7777 0100").status_code == 200
    assert attempt("203.0.113.5", "139 7777 0101").status_code == 200
    assert attempt("203.0.113.5", "139 7777 0102").status_code == 429
    assert attempt("203.0.113.6", "139 7777 0103").status_code == 200, "another visitor behind the same proxy"


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_a_short_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    for short in ("x", "a" * 31, "密" * 10):  # 30 bytes in UTF-8
        monkeypatch.setenv("SECRET_KEY", short)
        with pytest.raises(RuntimeError, match="shorter than 32 bytes"):
            create_app("production")
    monkeypatch.setenv("SECRET_KEY", "a" * 32)
    assert create_app("production").config["SECRET_KEY"] == "a" * 32


def test_production_refuses_in_memory_rate_limits_unless_told_it_runs_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_SINGLE_PROCESS", raising=False)
    with pytest.raises(RuntimeError, match="in-memory rate limits"):
        create_app("production")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    assert create_app("production").config["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.delenv("RATELIMIT_SINGLE_PROCESS")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert load_config("production").RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"  # shared: accepted


@pytest.mark.parametrize("env, expected", [
    ({}, "ProductionConfig"),  # gunicorn wsgi:app with STORE_ENV forgotten
    ({"FLASK_RUN_FROM_CLI": "true"}, "DevelopmentConfig"),  # flask run
    ({"STORE_ENV": "development"}, "DevelopmentConfig"),  # make run
    ({"STORE_ENV": "production", "FLASK_RUN_FROM_CLI": "true"}, "ProductionConfig"),
])
def test_what_wsgi_serves_is_production_unless_told(env, expected, tmp_path, monkeypatch):
    import importlib
    import sys

    for key in ("STORE_ENV", "FLASK_RUN_FROM_CLI"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    monkeypatch.delitem(sys.modules, "wsgi", raising=False)
    wsgi = importlib.import_module("wsgi")
    assert wsgi.environment() == {"ProductionConfig": "production", "DevelopmentConfig": "development"}[expected]
    assert wsgi.app.config["SESSION_COOKIE_SECURE"] is (expected == "ProductionConfig")
    assert wsgi.app.config["SESSION_COOKIE_NAME"] == ("__Host-session" if expected == "ProductionConfig"
                                                      else "session")


def test_testing_config_uses_a_plain_cookie_over_http(client, community):
    response = client.get("/login")

    (header,) = _cookie_headers(response, "session")
    assert "httponly" in _attributes(header)


# ---- session rotation and versions -----------------------------------------------------------

def test_login_rotates_the_session_and_the_old_cookie_stays_anonymous(app, client, community):
    client.get("/login")
    before = client.get_cookie("session").value

    _login(client, community["users"][Role.RESIDENT][1])

    after = client.get_cookie("session").value
    assert after != before
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert is_logged_out(replay), "the pre-login cookie must not become a logged-in one"


def test_logout_in_one_place_ends_every_session_of_the_account(app, community, login_client):
    _, phone = community["users"][Role.RESIDENT]
    phone_client, laptop = login_client(phone), login_client(phone)
    stolen = laptop.get_cookie("session").value
    assert laptop.get("/me").status_code == 200

    post_form(phone_client, "/logout")

    assert is_logged_out(phone_client)
    assert is_logged_out(laptop), "the other device is logged out too"
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert is_logged_out(replay), "a copied cookie stops working after logout"
    login_client(phone)  # and logging in again works


def test_password_change_ends_other_sessions_but_not_this_one(app, community, login_client):
    _, phone = community["users"][Role.RESIDENT]
    this, other = login_client(phone), login_client(phone)

    response = post_form(this, "/me/password",
                         {"current_password": PASSWORD, "new_password": "lotus-garden-42"},
                         token_from="/me/password")

    assert response.status_code == 302
    assert this.get("/me").status_code == 200
    assert is_logged_out(other)


# ---- role guards -----------------------------------------------------------------------------

ALLOWED = {
    "/shop": {Role.RESIDENT},
    "/console": {Role.STAFF, Role.OWNER},
    "/courier": {Role.COURIER},
    "/owner": {Role.OWNER},
    "/owner/store": {Role.OWNER},
    "/console/team": {Role.STAFF, Role.OWNER},
    "/console/buildings": {Role.STAFF, Role.OWNER},
}


def test_every_role_page_admits_its_roles_only(app, community, login_client, subtests):
    for role in Role:
        client = login_client(community["users"][role][1])
        for path, allowed in ALLOWED.items():
            with subtests.test(role=str(role), path=path):
                assert client.get(path).status_code == (200 if role in allowed else 403)


def test_anonymous_visitors_are_sent_to_login_and_back(app, community, subtests):
    for path, allowed in ALLOWED.items():
        with subtests.test(path=path):
            client = app.test_client()
            response = client.get(path)

            assert response.status_code == 302
            location = urlsplit(response.headers["Location"])
            assert location.path == "/login"
            assert parse_qs(location.query)["next"] == [path]
            role = sorted(allowed)[0]
            form = {"phone": community["users"][role][1], "password": PASSWORD}
            back = post_form(client, "/login?" + location.query, form, token_from="/login")
            assert (back.status_code, back.headers["Location"]) == (302, path)


def test_the_403_page_is_rendered_in_the_users_language(app, community, login_client, compiled_catalogs):
    _, phone = community["users"][Role.RESIDENT]
    client = login_client(phone)

    chinese = client.get("/console")

    assert chinese.status_code == 403
    assert chinese.mimetype == "text/html"
    assert html_lang(chinese) == "zh-Hans"
    assert "您没有权限访问此页面。" in chinese.get_data(as_text=True)

    post_form(client, "/lang", {"lang": "en", "next": "/shop"})
    client.delete_cookie("lang")  # the account's saved choice is enough
    english = client.get("/console")
    assert english.status_code == 403
    assert html_lang(english) == "en"
    assert "You do not have access to this page." in english.get_data(as_text=True)


# ---- redirects, headers, sizes, error pages --------------------------------------------------

def test_login_never_redirects_off_site(app, community, subtests):
    _, phone = community["users"][Role.RESIDENT]
    for target in ("//evil.example", "https://evil.example", "https://evil.example/shop", "/\\evil.example",
                   "http:/evil.example", "\t//evil.example"):
        for where in ("form", "query"):
            with subtests.test(target=target, where=where):
                client = app.test_client()
                path = "/login?" + ("next=" + target if where == "query" else "")
                data = {"phone": phone, "password": PASSWORD}
                if where == "form":
                    data["next"] = target
                response = post_form(client, path, data, token_from="/login")

                assert (response.status_code, response.headers["Location"]) == (302, "/shop")
    on_site = post_form(app.test_client(), "/login", {"phone": phone, "password": PASSWORD, "next": "/me"},
                        token_from="/login")
    assert on_site.headers["Location"] == "/me"


def test_typed_text_is_escaped_when_it_is_shown_back(app, client, community):
    markup = '"><script>alert(1)</script>'

    login = client.get("/login", query_string={"next": markup})
    register = post_form(client, "/register", {"phone": "139 2222 5555", "name": markup, "password": "short",
                                               "building_id": str(community["buildings"][0]), "unit": markup},
                         token_from="/register")

    for response in (login, register):
        page = response.get_data(as_text=True)
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)" in page


def test_security_headers_are_on_every_kind_of_response(client, community, subtests):
    for path in ("/login", "/api/v1/stores", "/does-not-exist", "/healthz"):
        with subtests.test(path=path):
            headers = client.get(path).headers
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["X-Frame-Options"] == "DENY"
            csp = headers["Content-Security-Policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_a_request_bigger_than_max_content_length_is_refused(app, client, community, count):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 8 * 1024 * 1024
    csrf_token(client, "/register")
    before = count(User)

    body = b"name=" + b"x" * (9 * 1024 * 1024)
    response = client.post("/register", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert count(User) == before


def test_error_pages_are_html_for_pages_and_json_for_the_api(client, community, compiled_catalogs):
    page = client.get("/does-not-exist")
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert html_lang(page) == "zh-Hans"
    assert "页面不存在。" in page.get_data(as_text=True)

    api = client.get("/api/v1/nope")
    assert api.status_code == 404
    assert api.mimetype == "application/json"
    body = api.get_json()
    assert body["status"] == 404 and body["error"]

    assert client.post("/api/v1/stores").get_json()["status"] == 405

    client.set_cookie("lang", "en")
    english = client.get("/does-not-exist")
    assert english.status_code == 404
    assert html_lang(english) == "en"
    assert "We could not find that page." in english.get_data(as_text=True)
    assert client.get("/api/v1/nope").get_json()["error"] == "We could not find that page."


# ---- personal pages are never stored by a browser or a proxy ----------------------------------

@pytest.mark.parametrize("path", ["/wallet", "/parcels", "/orders", "/inbox", "/me", "/cart"])
def test_personal_pages_send_no_store(client, community, path):
    _login(client, community["users"][Role.RESIDENT][1])
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers.get("Vary", "")


def test_console_pages_send_no_store_and_visitor_pages_may_be_kept(client, community):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    _login(client, community["users"][Role.STAFF][1])
    assert client.get("/console/wallet").headers["Cache-Control"] == "no-store"
    assert client.get("/console/orders/live").headers["Cache-Control"] == "no-store"
