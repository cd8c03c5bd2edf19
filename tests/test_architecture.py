"""The architecture rules of DESIGN.md, as tests, so they hold without anyone remembering them.

- Pure modules (every ``rules.py`` or ``*_rules.py``, the dispatcher's core) import no framework, not even indirectly.
- ``store_app/database.py`` holds the one commit.
- The dispatcher's core imports nothing of the project; ``services/`` imports only what it may.
- Nothing but entry points reads the clock; nothing but the launcher and CLI prints.
- Pages load nothing from outside hosts: front-end libraries are vendored into ``static/``.
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
SERVICES_MAY_IMPORT = ("store_app.extensions", "store_app.database", "store_app.accounts", "store_app.wallet",
                       "store_app.notifications")
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


def pure_modules():
    """Every ``rules.py`` (and ``*_rules.py``) in store_app/ and services/, and the dispatcher's core."""
    files = [p for p in python_files("store_app", "services")
             if p.name == "rules.py" or p.name.endswith("_rules.py")]
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


# ---- (e) only entry points read the clock ----------------------------------------------------

CLOCK_ALLOWED = {"store_app/database.py", "store_app/launcher.py",
                 "dispatch/jobs.py", "dispatch/scheduler.py"}
ENTRY_POINT_NAMES = {"views.py", "cli.py"}
CLOCK_METHODS = {"now", "utcnow", "today"}


def clock_calls(tree):
    """``[(lineno, source)]`` of ``datetime.now()``, ``datetime.utcnow()``, ``date.today()`` and kin."""
    clock_names = {"datetime", "date"}  # module or class names a clock method hangs off
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            clock_names.update(alias.asname for alias in node.names
                               if alias.asname and alias.name in {"datetime", "date"})
        elif isinstance(node, ast.Import):
            clock_names.update(alias.asname for alias in node.names
                               if alias.asname and alias.name == "datetime")
    calls = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_METHODS):
            continue
        receiver = node.func.value
        name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", None)
        if name in clock_names:
            calls.append((node.lineno, ast.unparse(node)))
    return calls


def test_clock_call_detection():
    source = ("import datetime as dt\nfrom datetime import date as D\n"
              "a = dt.datetime.now()\nb = D.today()\nc = datetime.utcnow()\nd = shop.now()\n")
    assert [line for line, _ in clock_calls(ast.parse(source))] == [3, 4, 5]


def test_only_entry_points_read_the_clock():
    found = []
    for path in python_files(*PROJECT_PACKAGES):
        if rel(path) in CLOCK_ALLOWED or path.name in ENTRY_POINT_NAMES:
            continue
        found += [f"{rel(path)}:{line}: {src}" for line, src in clock_calls(parse(path))]
    assert found == [], "pure code and operations take `now` as an argument"


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in pure_modules()])
def test_pure_modules_do_not_call_utcnow(path):
    calls = [node.lineno for node in ast.walk(parse(path)) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", None)) == "utcnow"]
    assert calls == []


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


# ---- (h) tests/unit tests pure code: no app, no client, no database --------------------------

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
