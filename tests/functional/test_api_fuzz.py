"""Schemathesis against the served document (/api/v1/openapi.json), on SQLite and PostgreSQL: every
operation, as a visitor, as a logged-in browser (session cookie, with its CSRF token on POSTs) and
as a device (bearer token), with data that fits the document and data that does not.

It passes when no answer is a 5xx, every status is one the operation documents, every answer's
content type and body match what the document says, and nothing is logged as an error.

``EXAMPLES`` cases per operation, identity and generation mode (positive, negative), derandomized
(the same cases on every run, so CI is reproducible); the whole module takes well under a minute.
"""
import logging

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from store_app.accounts import devices
from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db, limiter
from store_app.parcels import checkin, shelves
from store_app.roles import Role
from tests.conftest import AuthActions, add_shopper, build_shop, csrf_token, fill_cart, new_phone, place_test_order
from tests.coupon_support import add_coupon

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture])
# Which role speaks for an operation that needs one (by tag); the rest are asked by a resident.
ROLE_BY_TAG = {"couriers": Role.COURIER.value, "parcels": Role.STAFF.value}


@pytest.fixture
def api_world(app):
    """A store with a zone, a courier on shift carrying an order, a parcel waiting, and for each role a
    logged-in browser and a device token."""
    from werkzeug.security import generate_password_hash

    from tests.conftest import PASSWORD

    with app.app_context():
        shop = build_shop(couriers=1)
        shopper = add_shopper(shop)
        with transaction():
            staff = User(store_id=shop.store_id, phone=new_phone(), name="Clerk", role=Role.STAFF.value,
                         password_hash=generate_password_hash(PASSWORD, method="scrypt:1024:8:1"))
            db.session.add(staff)
            db.session.flush()
            shelves.save_shelf(shop.store_id, 1, tiers=3, capacity=10)
        place_test_order(shopper, {shop.products["water"]: 1})
        add_coupon(shop.store_id, per_user_limit=3)   # a coupon to claim, list and apply
        fill_cart(shopper.user_id, {shop.products["milk"]: 1})
        with transaction():
            checkin.check_in(db.session.get(User, staff.id), tracking_number="ZT9988776655", carrier="ZTO",
                             phone=shopper.phone, name="Lin", now=utcnow())
        courier = db.session.get(User, shop.courier_ids[0])
        accounts = {Role.RESIDENT.value: shopper.phone, Role.STAFF.value: staff.phone,
                    Role.COURIER.value: courier.phone}
        tokens = {}
        with transaction():
            for role in (Role.STAFF.value, Role.COURIER.value):
                account = staff if role == Role.STAFF.value else courier
                tokens[role] = devices.create_device_token(staff, user_id=account.id, name=role, now=utcnow())[1]
    sessions = {}
    for role, phone in accounts.items():
        client = app.test_client()
        assert AuthActions(client).login(phone).status_code == 302
        sessions[role] = client
    return sessions, tokens


def identities(operation, sessions, tokens):
    """``(label, headers, cookies)`` for a visitor, a logged-in browser and a device."""
    tags = operation.definition.raw.get("tags") or []
    role = next((ROLE_BY_TAG[tag] for tag in tags if tag in ROLE_BY_TAG), Role.RESIDENT.value)
    browser = sessions[role]
    session_headers = {"X-CSRFToken": csrf_token(browser, "/me")} if operation.method.upper() != "GET" else {}
    cookie = browser.get_cookie(browser.application.config["SESSION_COOKIE_NAME"])  # with the CSRF secret
    device_role = role if role in tokens else Role.STAFF.value
    return [("visitor", {}, {}),
            (f"{role} browser", session_headers, {cookie.key: cookie.value}),
            (f"{device_role} device", {"Authorization": f"Bearer {tokens[device_role]}"}, {})]


def fuzz(app, operation, mode, label, headers, cookies, problems, seen):
    """Run one operation's cases as one identity; a failing case is added to ``problems``, every
    status to ``seen[(method path, identity)]``."""

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        with app.app_context():
            limiter.reset()  # the fuzzer must reach the views, not only the code-entry limits
        response = case.call(headers=headers, cookies=cookies)
        seen.setdefault((f"{operation.method.upper()} {operation.path}", label), set()).add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Exception as exc:  # noqa: BLE001 -- every failure is reported, with the operation and identity
        problems.append(f"{operation.method.upper()} {operation.path} [{label}, {mode.value}]: "
                        f"{type(exc).__name__}: {str(exc)[:600]}")


def test_every_operation_as_every_identity_answers_as_documented(app, api_world, caplog):
    sessions, tokens = api_world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    problems, seen = [], {}
    for operation in operations:
        raw = operation.definition.raw
        # Negative data needs something to spoil: a parameter or a body (GET /stores has neither).
        has_inputs = bool(raw.get("parameters") or raw.get("requestBody"))
        modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_inputs else [GenerationMode.POSITIVE]
        for label, headers, cookies in identities(operation, sessions, tokens):
            for mode in modes:
                fuzz(app, operation, mode, label, headers, cookies, problems, seen)
    errors = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems == [], "\n\n".join(problems)
    assert errors == []
    # Each identity really was who it says: the courier's browser and phone see their tasks, a visitor
    # is asked to log in, the counter's tablet reaches the code lookup.
    assert seen[("GET /api/v1/courier/tasks", "visitor")] == {401}
    assert 200 in seen[("GET /api/v1/courier/tasks", "courier browser")]
    assert 200 in seen[("GET /api/v1/courier/tasks", "courier device")]
    assert 204 in seen[("POST /api/v1/courier/position", "courier device")]
    assert 204 in seen[("POST /api/v1/courier/position", "courier browser")]
    assert seen[("POST /api/v1/parcels/lookup", "staff device")] & {400, 404}
    assert 200 in seen[("GET /api/v1/delivery-quote", "visitor")]
    # Coupons: the resident's browser lists, claims, prices the cart and is told a bad code is bad.
    assert 200 in seen[("GET /api/v1/coupons", "resident browser")]
    assert seen[("POST /api/v1/coupons/{coupon_id}/claim", "resident browser")] & {201, 404, 409}
    assert 200 in seen[("POST /api/v1/coupons/apply", "resident browser")]
    assert 400 in seen[("POST /api/v1/coupons/redeem", "resident browser")]
