"""The architecture rules of DESIGN.md, as tests, so they hold without anyone remembering them.

- Pure modules (every ``rules.py`` or ``*_rules.py``, the ones named in ``PURE_MODULES``, the
  dispatcher's core) import no framework, not even indirectly; a framework-free module must be named.
- ``store_app/database.py`` holds the one commit.
- The domain packages form a ladder (``LADDER``): imports go down it, never up, never sideways, never
  in a circle. ``deliveries`` knows nothing of ``orders``; ``store_app`` imports only the pure parts of
  ``dispatch``, and ``dispatch`` only the parts of ``store_app`` in ``DISPATCH_MAY_IMPORT``.
- The dispatcher's core imports nothing of the project; ``services/`` imports only what it may.
- ``store_app/jobs`` (registry, scheduler, leader lease, job-run log) knows no domain: domains register with it.
- Nothing but entry points reads the clock (each allowed read is named and counted); nothing but
  the launcher and CLI prints.
- Pages load nothing from outside hosts: front-end libraries are vendored into ``static/``.
- The modules of every package import each other without a circle, and its view modules import no
  other view module.


- ``tests/unit`` tests pure code: no app, no test client, no page, no database.

Imports are read with ``ast``, never executed; relative imports are resolved against their package.
"""
import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("store_app", "dispatch", "services")
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"

FRAMEWORK_ROOTS = {"flask", "sqlalchemy", "apscheduler", "werkzeug", "wtforms"}  # plus flask_*
IMPURE_PROJECT_MODULES = ("store_app.extensions", "store_app.database")
# The marketplace stands on the base (accounts, stores and their zones, the wallet, notifications) and
# on rung 0 (the database, web parts, periodic jobs, uploads, the domain-error base, roles), and
# reports its bookings to growth (purchases) and prices them with growth's coupons.
SERVICES_MAY_IMPORT = ("store_app.extensions", "store_app.database", "store_app.errors", "store_app.roles",
                       "store_app.web", "store_app.jobs", "store_app.uploads", "store_app.csv_rules",
                       "store_app.accounts", "store_app.stores", "store_app.geo", "store_app.wallet",
                       "store_app.notifications", "store_app.growth")
DISPATCH_PURE = ("dispatch/model.py", "dispatch/geo.py", "dispatch/planner.py", "dispatch/baselines.py",
                 "dispatch/routes.py", "dispatch/bundling.py")

# Pure modules known to break the rule today. Each must be fixed, then removed from here
# (strict xfail: the test starts failing as soon as the module is clean).
KNOWN_IMPURE = {}


# ---- reading the source ----------------------------------------------------------------------

def rel(path):
    return path.relative_to(ROOT).as_posix()


def python_files(*tops):
    """Every .py file under the given top-level folders (that exist), sorted."""
    files = []
    for top in tops:
        folder = ROOT / top
        if folder.is_dir():
            files.extend(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(files)


@cache
def parse(path):
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_name(path):
    """``store_app/geo/rules.py`` -> ``store_app.geo.rules``; a package's ``__init__`` -> the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_path(name):
    """The file of a project module (``a.b`` -> ``a/b.py`` or ``a/b/__init__.py``), or None."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def is_project(name):
    return name.split(".")[0] in PROJECT_PACKAGES


def _is_type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_in(tree, module, is_package, exists=module_path):
    """``[(lineno, absolute module name)]`` imported by a module's source, relative ones resolved.

    ``from pkg import name`` counts as importing ``pkg.name`` when that is a module, else ``pkg``.
    Imports under ``if TYPE_CHECKING:`` do not run, so they do not count.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []

    def visit(node):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base_parts = parts[:len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if alias.name != "*" and exists(sub) else base))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def imports_of(path):
    return imports_in(parse(path), module_name(path), path.name == "__init__.py")


def is_framework(name):
    top = name.split(".")[0]
    return top in FRAMEWORK_ROOTS or top.startswith("flask_")


def is_under(name, prefixes):
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def impure_imports(path):
    """Framework imports reached from ``path``, following the project's own imports: ``[chain]``.

    A chain reads ``store_app/x/rules.py:4 -> store_app.x.models -> flask_login``.
    """
    problems, seen = [], set()
    stack = [(path, [rel(path)])]
    while stack:
        current, chain = stack.pop()
        for lineno, name in imports_of(current):
            step = chain[:-1] + [f"{chain[-1]}:{lineno}", name]
            if is_framework(name) or is_under(name, IMPURE_PROJECT_MODULES):
                problems.append(" -> ".join(step))
            elif is_project(name) and name not in seen:
                seen.add(name)
                target = module_path(name)
                if target is not None:
                    stack.append((target, step))
    return sorted(set(problems))


# Pure modules not named ``rules.py``: plain values in, plain values out, no framework, no clock.
PURE_MODULES = {
    "store_app/roles.py": "who a person is in the store",
    "services/statuses.py": "the marketplace's booking statuses",
    "store_app/orders/statuses.py": "order statuses and payment methods",
    "store_app/fulfilment/transitions.py": "the one table of order and task moves",
    "store_app/deliveries/params.py": "a store's settings as quote and planner parameters",
    "store_app/stores/presenters.py": "open now, next opening",
    "store_app/web/links.py": "where a form may send the browser next",
    "store_app/geo/zones.py": "polygons, their validation and the spatial index",
    "store_app/geo/maps.py": "SVG maps as plain drawing data",
    "store_app/geo/navigation.py": "links that open a phone's navigation at a point",
    "store_app/geo/map_labels.py": "where names go on a map without running over each other",
    "store_app/geo/projection.py": "the one projection of every server-drawn map",
    "store_app/parcels/reports.py": "the parcel station's figures",
    "store_app/staffing/chart.py": "the staffing chart",
    "store_app/demo/data.py": "the demo community",
    "store_app/demo/catalogue_data.py": "the demo catalogue",
    "store_app/demo/breakfast_data.py": "the demo breakfast menu and children",
    "store_app/demo/services_data.py": "the demo marketplace: categories, vendors, the month's stories",
    "store_app/demo/pictures.py": "which stock picture each demo product and category shows",
    "store_app/uploads/photos.py": "photos decoded and re-encoded: bytes in, bytes out",
    "store_app/growth/baskets.py": "a checkout as the pricing rules see it: plain values",
    "store_app/reports/charts.py": "the KPI board's charts laid out for SVG",
}
# Framework-free modules that are not pure rules, and why.
FRAMEWORK_FREE_ELSEWHERE = {
    "store_app/config.py": "settings, read from the environment at import",
    "store_app/jobs/registry.py": "the periodic-job registry: providers on the app and from entry points",
    "store_app/orders/riders.py": "a registry the lines above orders fill at import",
}


def pure_modules():
    """Every ``rules.py`` (and ``*_rules.py``) in store_app/ and services/, ``PURE_MODULES``, and the
    dispatcher's core."""
    files = [p for p in python_files("store_app", "services")
             if p.name == "rules.py" or p.name.endswith("_rules.py")]
    files += [ROOT / name for name in PURE_MODULES if (ROOT / name).is_file()]
    files += [ROOT / name for name in DISPATCH_PURE if (ROOT / name).is_file()]
    files += python_files("dispatch/sim")
    return sorted(set(files))


# ---- self-checks of the import reader --------------------------------------------------------

def test_relative_imports_are_resolved_against_the_package():
    source = ("from ..extensions import db\nfrom .models import Role\n"
              "from . import rules\nimport flask_login\n")
    existing = {"store_app.geo.rules"}
    found = imports_in(ast.parse(source), "store_app.geo.operations", False, existing.__contains__)
    assert [name for _, name in found] == [
        "store_app.extensions", "store_app.geo.models", "store_app.geo.rules", "flask_login"]
    in_package = imports_in(ast.parse("from .models import Role"), "store_app.geo", True, lambda name: False)
    assert in_package == [(1, "store_app.geo.models")]


def test_nested_and_type_checking_imports():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import flask\n"
              "else:\n    import math\ndef f():\n    from sqlalchemy import text\n")
    found = imports_in(ast.parse(source), "store_app.x.rules", False, lambda name: False)
    names = [name for _, name in found]
    assert names == ["typing", "math", "sqlalchemy"]


def test_framework_detection():
    assert all(is_framework(name) for name in ("flask", "flask_login", "flask_sqlalchemy", "sqlalchemy.orm",
                                               "apscheduler.schedulers.background", "werkzeug.security"))
    assert not any(is_framework(name) for name in ("math", "zoneinfo", "phonenumbers", "flasky", "numpy"))
    assert is_under("store_app.database", IMPURE_PROJECT_MODULES)
    assert not is_under("store_app.databases", IMPURE_PROJECT_MODULES)


def test_the_pure_module_list_is_not_empty():
    names = {rel(path) for path in pure_modules()}
    assert {"store_app/stores/rules.py", "store_app/geo/rules.py", "store_app/accounts/rules.py"} <= names


def test_the_transitive_check_sees_through_models():
    chains = impure_imports(ROOT / "store_app/accounts/models.py")
    assert any(chain.endswith("-> flask_login") for chain in chains)


# ---- (a) pure modules import no framework ----------------------------------------------------

def _pure_params():
    params = []
    for path in pure_modules():
        name = rel(path)
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_IMPURE[name])] if name in KNOWN_IMPURE else []
        params.append(pytest.param(path, id=name, marks=marks))
    return params


@pytest.mark.parametrize("path", _pure_params())
def test_pure_module_imports_no_framework(path):
    assert impure_imports(path) == [], "pure modules import no framework, not even through another module"


def test_named_pure_modules_exist():
    """A name for a deleted or renamed file would protect nothing: keep the list true."""
    assert [name for name in (*PURE_MODULES, *FRAMEWORK_FREE_ELSEWHERE) if not (ROOT / name).is_file()] == []


def test_every_framework_free_module_is_named():
    """A module that imports no framework is pure by accident until it is named: then it stays so."""
    named = {rel(p) for p in pure_modules()} | set(FRAMEWORK_FREE_ELSEWHERE)
    unnamed = [rel(p) for p in python_files("store_app", "services")
               if p.name != "__init__.py" and "migrations" not in p.parts and rel(p) not in named
               and impure_imports(p) == []]
    assert unnamed == [], "add them to PURE_MODULES (or say why not in FRAMEWORK_FREE_ELSEWHERE)"


def test_known_impure_entries_still_exist():
    """An entry for a deleted or renamed file would hide nothing and mean nothing: remove it."""
    assert all((ROOT / name).is_file() for name in KNOWN_IMPURE)


# ---- (b) one commit point --------------------------------------------------------------------

COMMIT_ALLOWED = {"store_app/database.py"}


def commit_calls(tree):
    """Every ``<anything>.commit(...)`` call: a session, a connection, a nested transaction."""
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_only_database_py_commits():
    commits = []
    for path in python_files(*PROJECT_PACKAGES):
        if rel(path) in COMMIT_ALLOWED:
            continue
        commits += [f"{rel(path)}:{node.lineno}: {ast.unparse(node)}" for node in commit_calls(parse(path))]
    assert commits == [], "only transaction() in store_app/database.py commits; operations flush"


def test_database_py_does_commit():
    assert len(commit_calls(parse(ROOT / "store_app/database.py"))) == 1


# ---- (c) the dispatcher's core is the project's own business only ---------------------------

def dispatch_pure_files():
    return [ROOT / name for name in DISPATCH_PURE if (ROOT / name).is_file()] + python_files("dispatch/sim")


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in dispatch_pure_files()] or [
    pytest.param(None, id="no-dispatch-core-found")])
def test_dispatch_core_imports_nothing_of_the_app(path):
    if path is None:
        pytest.fail("no file of DISPATCH_PURE exists: the list no longer names the dispatcher's core")
    bad = [f"{rel(path)}:{lineno} imports {name}" for lineno, name in imports_of(path)
           if is_under(name, ("store_app", "services"))]
    assert bad == []


# ---- (d) services/ imports only the parts of store_app it may --------------------------------

def test_services_import_only_allowed_store_app_parts():
    bad = [f"{rel(path)}:{lineno} imports {name}"
           for path in python_files("services")
           for lineno, name in imports_of(path)
           if is_under(name, ("store_app",)) and not is_under(name, SERVICES_MAY_IMPORT)]
    assert bad == [], f"services/ may import only {', '.join(SERVICES_MAY_IMPORT)}"


# ---- (d2) the periodic jobs know no domain ----------------------------------------------------

JOBS_MAY_IMPORT = ("store_app.jobs", "store_app.database", "store_app.extensions", "store_app.config")


def project_imports(paths, outside):
    """``["file:line imports name"]`` for every import under one of the ``outside`` prefixes."""
    return [f"{rel(path)}:{lineno} imports {name}" for path in paths
            for lineno, name in imports_of(path) if is_under(name, outside)]


def test_jobs_package_knows_no_domain():
    paths = python_files("store_app/jobs")
    expected = {"store_app/jobs/registry.py", "store_app/jobs/scheduler.py", "store_app/jobs/run_log.py",
                "store_app/jobs/cli.py", "store_app/jobs/lease.py"}
    assert {rel(path) for path in paths} >= expected
    bad = [line for line in project_imports(paths, PROJECT_PACKAGES)
           if not is_under(line.rpartition(" imports ")[2], JOBS_MAY_IMPORT)]
    assert bad == [], "the scheduler runs what is registered: domains register with store_app.jobs, never the reverse"


# ---- (e) only entry points read the clock -----------------------------------------------------

# Modules that are entry points as a whole: requests, commands, periodic jobs, the scheduler.
CLOCK_ALLOWED = {"store_app/database.py", "store_app/launcher.py", "dispatch/cycle.py", "store_app/jobs/scheduler.py"}
ENTRY_POINT_NAMES = {"cli.py", "jobs.py"}  # and every ``views.py`` / ``*_views.py``
# Entry points inside other modules, each with how many clock reads it may make.
CLOCK_READS = {("store_app/demo/operations.py", "seed_demo"): 1,
               ("store_app/accounts/session.py", "note_device_use"): 1,  # a request hook: an entry point
               ("store_app/accounts/activity.py", "note_activity"): 1}  # a request hook too


def is_entry_point(path):
    return rel(path) in CLOCK_ALLOWED or path.name in ENTRY_POINT_NAMES or path.name.endswith("views.py")


CLOCK_METHODS = {"now", "utcnow", "today"}


def clock_calls(tree):
    """``[(lineno, function, source)]`` of ``datetime.now()``, ``datetime.utcnow()``, ``date.today()`` and
    kin, and of the project's own ``utcnow()``; ``function`` is the enclosing function's name."""
    clock_names = {"datetime", "date"}  # module or class names a clock method hangs off
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            clock_names.update(alias.asname for alias in node.names
                               if alias.asname and alias.name in {"datetime", "date"})
        elif isinstance(node, ast.Import):
            clock_names.update(alias.asname for alias in node.names
                               if alias.asname and alias.name == "datetime")
    calls = []

    def visit(node, function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in CLOCK_METHODS:
                receiver = func.value
                name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", None)
                if name in clock_names or func.attr == "utcnow":
                    calls.append((node.lineno, function, ast.unparse(node)))
            elif isinstance(func, ast.Name) and func.id == "utcnow":
                calls.append((node.lineno, function, ast.unparse(node)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return calls


def test_clock_call_detection():
    source = ("import datetime as dt\nfrom datetime import date as D\n"
              "a = dt.datetime.now()\nb = D.today()\nc = datetime.utcnow()\nd = shop.now()\n"
              "def f():\n    return utcnow()\nx = Column(default=utcnow)\n")
    assert [(line, fn) for line, fn, _ in clock_calls(ast.parse(source))] == [(3, None), (4, None), (5, None),
                                                                              (8, "f")]


def test_only_entry_points_read_the_clock():
    found, counted = [], {}
    for path in python_files(*PROJECT_PACKAGES):
        if is_entry_point(path):
            continue
        for line, function, src in clock_calls(parse(path)):
            key = (rel(path), function)
            if key in CLOCK_READS:
                counted[key] = counted.get(key, 0) + 1
            else:
                found.append(f"{rel(path)}:{line} in {function}(): {src}")
    assert found == [], "pure code and operations take `now` as an argument"
    assert counted == CLOCK_READS, "each named entry point reads the clock exactly as often as listed"


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in pure_modules()])
def test_pure_modules_do_not_call_utcnow(path):
    calls = [node.lineno for node in ast.walk(parse(path)) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", None)) == "utcnow"]
    assert calls == []


# ---- (h) the ladder: imports go down, never up, never sideways, never in a circle --------------

# DESIGN.md's dependency ladder, bottom first. A package may import packages of lower rungs only;
# rung 0 knows no domain (its parts may import one another). ``store_app`` itself (create_app), the
# schema list, the launcher and the demo stand above every rung: they wire or seed everything.
LADDER = [
    {"store_app.web", "store_app.jobs", "store_app.database", "store_app.extensions", "store_app.errors",
     "store_app.roles", "store_app.config", "store_app.caching", "store_app.csv_rules", "store_app.uploads"},
    {"store_app.stores"},
    {"store_app.geo"},
    {"store_app.accounts"},
    {"store_app.wallet", "store_app.notifications", "store_app.catalogue"},
    {"store_app.growth"},
    {"store_app.deliveries"},
    {"store_app.orders"},
    {"store_app.fulfilment"},
    {"store_app.parcels", "store_app.partners", "store_app.staffing", "store_app.breakfast", "services"},
    {"store_app.reports"},
]
ABOVE_THE_LADDER = {"store_app", "store_app.models", "store_app.launcher", "store_app.demo", "dispatch.app"}
# Import circles between packages that are kept on purpose, with the reason. None today.
KNOWN_CIRCLES = {}
# What dispatch/ may import from store_app, and why.
DISPATCH_MAY_IMPORT = {
    "store_app.database": "one cycle is two transactions",
    "store_app.stores": "the store being dispatched",
    "store_app.deliveries": "the snapshot: open tasks, couriers on shift, the planner's parameters",
    "store_app.fulfilment": "the assignments and predictions move orders with their tasks",
    "store_app.jobs": "the dispatch cycle is a periodic job",
}


def package_of(name):
    """``store_app.orders.views`` -> ``store_app.orders``; ``services.x`` -> ``services``; a root module
    of store_app is its own package. The dispatcher is two: its pure core (``dispatch``), which the
    app may use, and the parts that run it in the app (``dispatch.app``: the cycle, its CLI)."""
    parts = name.split(".")
    if parts[0] == "dispatch":
        core = {module_name(p) for p in dispatch_pure_files()}
        return "dispatch" if name == "dispatch" or is_under(name, tuple(core)) else "dispatch.app"
    if parts[0] == "services":
        return "services"
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def rung_of(package):
    return next((i for i, rung in enumerate(LADDER) if package in rung), None)


def package_imports():
    """``{package: {imported package: [where, ...]}}`` over the project's own imports."""
    graph = {}
    for path in python_files(*PROJECT_PACKAGES):
        if "migrations" in path.parts:
            continue
        source = package_of(module_name(path))
        for lineno, name in imports_of(path):
            if not is_project(name):
                continue
            target = package_of(name)
            if target != source:
                graph.setdefault(source, {}).setdefault(target, []).append(f"{rel(path)}:{lineno}")
    return graph


def test_every_package_has_its_rung():
    packages = {package_of(module_name(p)) for p in python_files("store_app", "services")
                if "migrations" not in p.parts}
    lost = sorted(p for p in packages if rung_of(p) is None and p not in ABOVE_THE_LADDER)
    assert lost == [], "put each new package on its rung of LADDER (or above it, with a reason)"


def test_imports_go_down_the_ladder():
    wrong = []
    for source, targets in package_imports().items():
        here = rung_of(source)
        if here is None:
            continue
        for target, where in targets.items():
            if target == "dispatch":
                continue  # its pure core, which knows no domain
            there = rung_of(target)
            if there is None or there > here or (there == here and here != 0):
                wrong.append(f"{source} (rung {here}) imports {target} (rung {there}) at {', '.join(where)}")
    assert wrong == [], "imports go down the ladder: a lower package hears of a higher one by a registered handler"


def test_deliveries_knows_nothing_of_orders():
    found = package_imports().get("store_app.deliveries", {})
    assert "store_app.orders" not in found and "store_app.fulfilment" not in found


def test_no_import_circle_between_packages():
    assert import_circles(package_imports()) == sorted(KNOWN_CIRCLES), \
        "packages that import each other are one package in two places"


def test_store_app_imports_only_the_pure_parts_of_dispatch():
    pure = {module_name(p) for p in dispatch_pure_files()}
    bad = [f"{rel(path)}:{lineno} imports {name}"
           for path in python_files("store_app", "services")
           for lineno, name in imports_of(path)
           if is_under(name, ("dispatch",)) and name != "dispatch" and not is_under(name, tuple(pure))]
    assert bad == []


def test_dispatch_imports_only_the_allowed_parts_of_store_app():
    bad = [f"{rel(path)}:{lineno} imports {name}"
           for path in python_files("dispatch")
           for lineno, name in imports_of(path)
           if is_under(name, ("store_app",)) and not is_under(name, tuple(DISPATCH_MAY_IMPORT))]
    assert bad == [], f"dispatch/ may import only {', '.join(DISPATCH_MAY_IMPORT)} of store_app"


# ---- (f) no print() outside the launcher and CLI modules -------------------------------------

def test_no_print_outside_launcher_and_cli():
    found = []
    for path in python_files("store_app"):
        if rel(path) == "store_app/launcher.py" or path.name == "cli.py":
            continue
        found += [f"{rel(path)}:{node.lineno}" for node in ast.walk(parse(path))
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id == "print"]
    assert found == [], "log, flash or click.echo instead of print"


# ---- (g) no CDN: pages load nothing from outside hosts ---------------------------------------

# XML namespace names look like URLs but are never fetched.
NAMESPACE_URL = re.compile(r"https?://www\.w3\.org/")
TEMPLATE_ATTR_URL = re.compile(r"""\b(?:src|href|srcset)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:https?:)?//[^"')\s]*)""", re.I)
QUOTED_URL = re.compile(r"""["'`]\s*((?:https?:)?//[^"'`\s]*)""", re.I)


def outside_urls(pattern, text):
    return [url for url in pattern.findall(text) if not NAMESPACE_URL.match(url)]


def test_url_patterns():
    page = '<script src="https://cdn.example/x.js"></script><link href=//fonts.example/a.css><a href="/me">'
    assert outside_urls(TEMPLATE_ATTR_URL, page) == ["https://cdn.example/x.js", "//fonts.example/a.css"]
    assert outside_urls(TEMPLATE_ATTR_URL, '<img src="{{ url_for(\'static\', filename=\'a.png\') }}">') == []
    css = "@import 'https://fonts.example/a.css'; a { background: url(//img.example/b.png) }"
    assert outside_urls(CSS_URL, css) == ["https://fonts.example/a.css", "//img.example/b.png"]
    js = ('import x from "https://esm.example/x.js"; '
          'el = document.createElementNS("http://www.w3.org/2000/svg", "g")')
    assert outside_urls(QUOTED_URL, js) == ["https://esm.example/x.js"]


def test_templates_load_nothing_from_outside_hosts():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        urls = outside_urls(TEMPLATE_ATTR_URL, text) + outside_urls(CSS_URL, text)
        found += [f"{rel(path)}: {url}" for url in urls]
    assert found == [], "vendor front-end files into static/ instead of linking a CDN"


def test_static_files_load_nothing_from_outside_hosts():
    found = []
    for path in sorted(STATIC.rglob("*")):
        if path.suffix == ".css":
            urls = outside_urls(CSS_URL, path.read_text(encoding="utf-8"))
        elif path.suffix in {".js", ".mjs", ".webmanifest"}:
            urls = outside_urls(QUOTED_URL, path.read_text(encoding="utf-8"))
        else:
            continue
        found += [f"{rel(path)}: {url}" for url in urls]
    assert found == [], "static files must not pull anything from another host"


# ---- (i) a package's modules import each other in one direction ------------------------------

# Every package: its modules form no import circle (nested imports count too), and its view modules
# import no other view module: each blueprint lives in a module that imports nothing back.
ONE_WAY_PACKAGES = sorted({rel(p.parent) for p in python_files(*PROJECT_PACKAGES) if "migrations" not in p.parts})


def package_files(folder):
    """The modules directly in ``folder`` (its subpackages are packages of their own)."""
    return sorted(p for p in (ROOT / folder).glob("*.py"))


def import_graph(folder):
    """``{module: {module of the same package it imports}}`` for every module of the package ``folder``."""
    paths = package_files(folder)
    names = {module_name(path) for path in paths}
    return {module_name(path): {name for _, name in imports_of(path) if name in names} for path in paths}


def import_circles(graph):
    """Import circles in ``graph`` as ``a -> b -> a``: depth first, so any circle there is gets named."""
    circles, done = set(), set()

    def visit(node, trail):
        if node in trail:
            loop = trail[trail.index(node):]
            start = loop.index(min(loop))
            circles.add(" -> ".join(loop[start:] + loop[:start] + [min(loop)]))
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, trail + [node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return sorted(circles)


def test_import_circles_are_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert import_circles(graph) == ["a -> b -> c -> a"]
    assert import_circles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("folder", ONE_WAY_PACKAGES)
def test_package_modules_import_each_other_without_a_circle(folder):
    assert import_circles(import_graph(folder)) == []


def is_view_module(name):
    """``views`` or ``<something>_views`` (not ``reviews``: the marketplace's reviews are a domain module)."""
    return name == "views" or name.endswith("_views")


@pytest.mark.parametrize("folder", ONE_WAY_PACKAGES)
def test_view_modules_import_no_other_view_module(folder):
    bad = [f"{rel(path)}:{lineno} imports {name}" for path in package_files(folder) if is_view_module(path.stem)
           for lineno, name in imports_of(path) if is_view_module(name.rpartition(".")[2])]
    assert bad == [], "register routes on a blueprint module that imports nothing back; create_app imports the views"


# ---- (j) tests/unit tests pure code: no app, no client, no database --------------------------

UNIT_TESTS = ROOT / "tests" / "unit"
DATABASE_FIXTURES = {"app", "db_backend", "pg_engine", "sqlite_template"}


def _is_fixture(decorator):
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr == "fixture") or (
        isinstance(target, ast.Name) and target.id == "fixture")


def _arguments(function):
    return {arg.arg for arg in function.args.args + function.args.kwonlyargs}


def app_fixtures():
    """The fixtures a unit test could reach (tests/conftest.py's) that build an app or a database,
    and every one that asks for them, directly or through another (``client``, ``community``...)."""
    needs = {node.name: _arguments(node) for node in parse(ROOT / "tests" / "conftest.py").body
             if isinstance(node, ast.FunctionDef) and any(_is_fixture(d) for d in node.decorator_list)}
    found = set(DATABASE_FIXTURES)
    while True:
        more = {name for name, arguments in needs.items() if name not in found and arguments & found}
        if not more:
            return found
        found |= more


def app_uses(path):
    """``["line: what"]``: where a test module builds an app or asks for a fixture that does."""
    wanted, found = app_fixtures(), []
    for node in ast.walk(parse(path)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names]
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module == "store_app" and "create_app" in names:
                found.append(f"{node.lineno}: imports create_app")
            for name in ([module] if module else names):
                if is_framework(name) or is_under(name, ("store_app.extensions",)):
                    found.append(f"{node.lineno}: imports {name}")
        elif isinstance(node, ast.FunctionDef) and (
                node.name.startswith("test_") or any(_is_fixture(d) for d in node.decorator_list)):
            for argument in sorted(_arguments(node) & wanted):
                found.append(f"{node.lineno}: {node.name} asks for the {argument} fixture")
    return found


def test_the_app_fixtures_are_found():
    assert {"app", "client", "runner", "app_ctx", "auth", "community", "create_shop", "create_order"} <= app_fixtures()


@pytest.mark.parametrize("path", sorted(UNIT_TESTS.glob("test_*.py")), ids=lambda path: path.name)
def test_unit_tests_build_no_app(path):
    assert app_uses(path) == [], (
        "tests/unit is for pure code: move tests that build the app, use a client, render pages or "
        "touch the database to tests/functional or tests/integration")
