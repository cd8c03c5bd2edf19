"""Every route, as every role, against hostile values: no 5xx, no traceback, and a refusal writes nothing.

The sweep walks ``app.url_map`` and requests each route (pages, forms and the JSON API) with values
an attacker or a broken client would send:

- path ids of 2^31, 2^63 and 10^30 (the database's integers end long before), and junk in text slugs;
- every query and form field the app reads (collected from the views and forms themselves), set to
  huge, negative, non-numeric, NaN, infinite and 100,000-character values and impossible coordinates;
- JSON bodies that are arrays, strings or numbers, JSON nested 10,000 levels deep, GeoJSON nested
  3,000 levels deep, and bodies whose content type does not match them.

Each request runs as a visitor and as each role, with a valid CSRF token (so the value reaches the
view, not just the CSRF check). It passes when no answer is a 5xx, nothing is logged at ERROR (a
traceback), and a refused request (4xx) changed nothing in the database (SQLite's ``data_version``
moves with every commit of another connection, so a write shows even when no row count changes).
"""
import ast
import importlib
import inspect
import logging
import re
import sqlite3
from pathlib import Path

import pytest
from wtforms import Form

from store_app.database import transaction
from store_app.extensions import db, limiter
from store_app.roles import Role
from tests.conftest import PASSWORD, AuthActions, add_shopper, build_shop, place_test_order, with_csrf

ROOT = Path(__file__).resolve().parents[2]
HUGE_IDS = (2 ** 31, 2 ** 63, 10 ** 30)
LONG = "x" * 100_000
LONG_CJK = "長" * 5_000  # multibyte, and past every column
DEEP_JSON = "[" * 10_000 + "]" * 10_000
DEEP_GEOJSON = ('{"type": "Polygon", "coordinates": ' + "[" * 3_000 + "1, 2" + "]" * 3_000 + "}")
# Values for any field the app reads: numbers out of every range, not numbers at all, far too long.
FIELD_VALUES = ("2147483648", "9223372036854775808", str(10 ** 30), "-5", "NaN", "inf", "1e400", "abc", "²", "",
                "12.5.1", "91", "-181", LONG, LONG_CJK, "\x00", "<script>x</script>")
# On PostgreSQL, what its types refuse where SQLite is lenient: integers past 32 and 64 bits, NUL
# bytes in text, texts past their column, numbers that are not numbers.
PG_FIELD_VALUES = ("2147483648", "9223372036854775808", str(10 ** 30), "-5", "NaN", "\x00", LONG_CJK)
JSON_BODIES = ("[1, 2]", '"text"', "42", "null", DEEP_JSON, DEEP_GEOJSON, "{not json")
LONG_QUERY_FIELDS = 4  # a URL that long is parsed the same way whatever its fields: a few carry it
ROLES = ("visitor", Role.RESIDENT.value, Role.STAFF.value, Role.COURIER.value, Role.OWNER.value)


# ---- what the app reads ------------------------------------------------------------------------

def _form_classes():
    """Every WTForms form class of the app, by name."""
    for path in [*(ROOT / "store_app").rglob("*forms.py"), *(ROOT / "services").rglob("*forms.py")]:
        importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    found, todo = {}, list(Form.__subclasses__())
    while todo:
        form = todo.pop()
        if form.__name__ not in found:
            found[form.__name__] = form
            todo.extend(form.__subclasses__())
    return found


def _form_fields(form):
    return {name for name in dir(form) if not name.startswith("_") and hasattr(getattr(form, name), "field_class")}


def fields_by_module():
    """``{view module path: {field name}}``: every ``request.args``/``form``/``values`` key a view module
    reads, and every field of the forms it uses (so each route gets the fields it may read)."""
    forms = _form_classes()
    found = {}
    for path in [*(ROOT / "store_app").rglob("*views.py"), *(ROOT / "services").rglob("*views.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"get", "getlist"} and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr in {"args", "form", "values", "files"}):
                names.add(node.args[0].value)
            elif isinstance(node, ast.Name) and node.id in forms:
                names |= _form_fields(forms[node.id])
        names.discard("csrf_token")
        found[str(path)] = names
    return found


# ---- the world the sweep walks in ----------------------------------------------------------------

@pytest.fixture
def world(app, tmp_path):
    """A store that can take orders, with one account of every role (the staff, courier and owner
    with the resident's password), an order placed, and a client logged in as each role."""
    from werkzeug.security import generate_password_hash

    from store_app.accounts.models import User
    from tests.conftest import new_phone

    with app.app_context():
        shop = build_shop(couriers=1)
        shopper = add_shopper(shop)
        hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
        phones = {Role.RESIDENT.value: shopper.phone}
        with transaction():
            for role in (Role.STAFF, Role.OWNER):
                user = User(store_id=shop.store_id, phone=new_phone(), name=f"{role} person", password_hash=hashed,
                            role=role.value)
                db.session.add(user)
                phones[role.value] = user.phone
            courier = db.session.get(User, shop.courier_ids[0])
            phones[Role.COURIER.value] = courier.phone
        place_test_order(shopper, {shop.products["water"]: 1})  # order 1, for the routes that take one
    clients = {"visitor": app.test_client()}
    for role, phone in phones.items():
        client = app.test_client()
        assert AuthActions(client).login(phone).status_code == 302, role
        clients[role] = client
    return clients


class Watch:
    """Sends requests, remembers every problem: a 5xx, a logged error, a refusal that wrote."""

    def __init__(self, app, caplog):
        self.app, self.caplog = app, caplog
        self.problems = []
        self.sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        self.reference = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")) \
            if self.sqlite else None

    def version(self):
        return self.reference.execute("PRAGMA data_version").fetchone()[0] if self.sqlite else None

    def send(self, client, method, url, label, **kwargs):
        with self.app.app_context():
            limiter.reset()  # a hostile value must reach the view, not a rate limit
        before = self.version()
        self.caplog.clear()
        try:  # the testing config propagates exceptions: a crash arrives here, not as a 500
            response = client.open(url, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001 -- every crash is a finding, whatever its type
            self.problems.append(f"raised {type(exc).__name__}: {str(exc)[:80]!r}: {method} {url[:120]} [{label}]")
            return None
        status = response.status_code
        errors = [r for r in self.caplog.records if r.levelno >= logging.ERROR]
        if status >= 500:
            self.problems.append(f"{status} {method} {url[:120]} [{label}]")
        elif errors:
            self.problems.append(f"logged {errors[0].getMessage()[:80]!r}: {method} {url[:120]} [{label}]")
        elif 400 <= status < 500 and self.sqlite and self.version() != before:
            self.problems.append(f"refused {status} but wrote: {method} {url[:120]} [{label}]")
        return response


def concrete_urls(rule):
    """``(url, with_fields)``: the rule's URL with each path argument set to each hostile value (ints) or
    junk (strings), asked once; then with ids of 1 (the world's first order, product, user...), where the
    hostile fields can reach the view behind the route."""
    arguments = rule.arguments - set(rule.defaults or {})
    if not arguments:
        return [(rule.rule, True)]
    urls = []
    variants = []
    for name in sorted(arguments):
        converter = rule._converters[name]
        kind = type(converter).__name__
        if kind in ("IntegerConverter", "BoundedIntConverter"):
            values = [str(v) for v in HUGE_IDS]
        elif kind == "AnyConverter":
            values = [sorted(converter.items)[0] if hasattr(converter, "items") else "x"]
        else:
            values = ["x" * 300, "..%2F..%2Fetc%2Fpasswd", "%00"]
        variants.append((name, values))
    width = max(len(values) for _name, values in variants)
    for i in range(width + 1):
        url = rule.rule
        for name, values in variants:
            value = "1" if i == width and values[0].isdigit() else values[i % len(values)]
            url = re.sub(r"<(?:[^:<>]+:)?%s(?:\([^)]*\))?>" % name, value, url)
        url = re.sub(r"<any\(([^),]+)[^)]*\):\w+>", r"\1", url)
        urls.append((url, i == width))
    return urls


def refused_by_role(response):
    """The answer of a role guard, given before the view reads anything: 401, 403, or a visitor sent to log in."""
    if response is None:
        return False
    if response.status_code in (401, 403):
        return True
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")


def allowed_roles(view):
    """The roles ``role_required`` lets into ``view`` (through its wrappers), or None when it says nothing."""
    while view is not None:
        if hasattr(view, "allowed_roles"):
            return view.allowed_roles
        view = getattr(view, "__wrapped__", None)
    return None


def covered_by_staff(role, view):
    """The owner's requests to a view staff may open are the staff's requests again: same view, same
    values, same guard passed; the staff's part of the sweep sends them."""
    allowed = allowed_roles(view)
    return role == Role.OWNER.value and allowed is not None and Role.STAFF.value in allowed


def sweep(app, clients, caplog, roles, shard=0, shards=1):
    """Every route (those of ``shard`` when the routes are dealt out into ``shards`` parts) as ``roles``:
    the problems seen."""
    by_module = fields_by_module()
    watch = Watch(app, caplog)
    postgresql = not watch.sqlite
    values = PG_FIELD_VALUES if postgresql else FIELD_VALUES
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    for rule in sorted(rules, key=lambda r: r.rule)[shard::shards]:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        view = app.view_functions[rule.endpoint]
        module = inspect.getsourcefile(inspect.unwrap(view))
        fields = sorted(by_module.get(module, ())) or ["q", "page", "id"]
        for role in roles:
            client = clients[role]
            if covered_by_staff(role, view):
                continue
            for url, with_fields in concrete_urls(rule):
                for method in methods:
                    label = f"{role} {rule.endpoint}"
                    if not with_fields:
                        plain = {} if method == "GET" else {"data": with_csrf(client)}
                        watch.send(client, method, url, label, **plain)
                        continue
                    refused = False
                    for value in values:
                        query = {name: value for name in fields}
                        if method == "GET":
                            if len(value) > 1000:
                                query = dict(list(query.items())[:LONG_QUERY_FIELDS])
                            response = watch.send(client, "GET", url, f"{label} query={value[:12]!r}",
                                                  query_string=query)
                        else:
                            response = watch.send(client, method, url, f"{label} form={value[:12]!r}",
                                                  data=with_csrf(client, query))
                        if refused_by_role(response):
                            # The role guard answered before the view read a field: the other values
                            # would meet the same guard (the roles it lets in get every value).
                            refused = True
                            break
                    if refused:
                        continue
                    if method != "GET" and not postgresql:  # JSON is parsed before any database is asked
                        for body in JSON_BODIES:
                            headers = {"X-CSRFToken": with_csrf(client)["csrf_token"]}
                            watch.send(client, method, url, f"{label} json={body[:12]!r}", data=body,
                                       content_type="application/json", headers=headers)
                        watch.send(client, method, url, f"{label} text/plain json", data=JSON_BODIES[0],
                                   content_type="text/plain", headers=headers)
    return watch.problems


SHARDS = 3  # the routes are dealt out into parts, so that the suite's workers share the sweep


@pytest.mark.parametrize("shard", range(SHARDS), ids=lambda shard: f"routes{shard + 1}of{SHARDS}")
@pytest.mark.parametrize("roles", [ROLES[:1], ROLES[1:2], ROLES[2:3], ROLES[3:4], ROLES[4:]],
                         ids=lambda roles: "+".join(roles))
def test_no_hostile_value_breaks_a_route(app, world, caplog, roles, shard):
    problems = sweep(app, world, caplog, roles, shard, SHARDS)
    assert problems == [], f"{len(problems)} problems, the first ones:\n" + "\n".join(problems[:40])


def test_a_refused_request_writes_one_line_and_no_traceback(app, world, caplog):
    caplog.set_level(logging.INFO)
    response = world[Role.RESIDENT.value].get("/api/v1/delivery-quote", query_string={"lat": "NaN", "lon": "1e400"})
    assert response.status_code == 400
    assert response.get_json()["error"]
    records = [r for r in caplog.records if r.name == "store_app.refused"]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("WARNING", "refused GET /api/v1/delivery-quote: 400")]
    assert all(r.exc_info is None for r in caplog.records)
    missing = world["visitor"].get("/orders/2147483648")
    assert missing.status_code == 404
    assert [r.levelname for r in caplog.records if r.name == "store_app.refused"][-1] == "INFO"


def test_an_id_past_the_column_on_a_page_that_asks_the_database_again(app, world):
    """A number the database cannot hold, refused after a statement failed: the error page is drawn on
    a fresh transaction (PostgreSQL ignores every statement of an aborted one), never a 500."""
    resident = world[Role.RESIDENT.value]
    for value in ("2147483648", "100000000000000000000000000000"):
        response = resident.get("/shop", query_string={"category": value})
        assert response.status_code in (200, 400), (value, response.status_code)
    assert resident.get("/shop").status_code == 200
