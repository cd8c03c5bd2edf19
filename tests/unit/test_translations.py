"""The Chinese catalogue is complete and safe, and pages come out in the chosen language.

A string marked for translation in code or a template but missing from ``zh/messages.po`` fails
here with its msgid: run ``make extract-messages``, translate it, and the test passes again.
The compiled ``.mo`` files are build output (not in git), so the page tests compile them first.
"""
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "store_app" / "translations"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
# The Makefile's `extract-messages` adds these to Babel's default keywords.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# A printf-style placeholder (`%(n)d`, `%s`), or `%%` with the letter after it: templates write
# `%%n` so that Jinja's formatting leaves `%n` for the JavaScript to replace.
PLACEHOLDER_RE = re.compile(
    r"%%[A-Za-z]?"
    r"|%(?:\([\w]*\))?[-#0 +]?(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrs]"
)


def as_tuple(value):
    """A msgid or msgstr as a tuple of forms (plural messages have several)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def placeholders(text):
    """The placeholders in ``text`` as a multiset; a `%` that starts none is kept as ``'%'``."""
    tokens = PLACEHOLDER_RE.findall(text)
    stray = PLACEHOLDER_RE.sub("", text).count("%")
    counts = Counter(token for token in tokens if token != "%%")
    if stray:
        counts["%"] = stray
    return counts


def extract_msgids():
    """Every (msgid, context) the project marks for translation, found as `pybabel extract` finds it."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, filename=str(ROOT / "babel.cfg"))
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.setdefault((as_tuple(message)[0], context), f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def zh_catalog():
    with open(ZH_PO, "rb") as po:
        return read_po(po, locale="zh")


def test_every_marked_string_is_translated_into_chinese(zh_catalog):
    extracted = extract_msgids()
    assert extracted, "extraction found nothing: is babel.cfg still right?"
    missing = []
    for (msgid, context), where in sorted(extracted.items(), key=lambda item: item[1]):
        message = zh_catalog.get(msgid, context)
        if message is None or message.fuzzy or not all(as_tuple(message.string)):
            state = "missing" if message is None else "fuzzy" if message.fuzzy else "untranslated"
            missing.append(f"{where}: {msgid!r} ({state})")
    assert not missing, ("Not translated in zh/messages.po (run `make extract-messages`, then translate):\n"
                         + "\n".join(missing))


def test_chinese_catalogue_has_no_fuzzy_entries(zh_catalog):
    fuzzy = [message.id for message in zh_catalog if message.id and message.fuzzy]
    assert not fuzzy


def test_translations_keep_the_placeholders(zh_catalog):
    """Same placeholders as the msgid; for plurals, the last (or only) form has the plural's.

    Chinese has one plural form, used for every count, so it must carry `%(num)d` even when the
    English singular does not; an earlier form may drop a placeholder but never add one.
    """
    wrong = []
    for message in zh_catalog:
        if not message.id:
            continue
        ids, forms = as_tuple(message.id), as_tuple(message.string)
        expected = placeholders(ids[-1])
        for index, form in enumerate(forms):
            found = placeholders(form)
            ok = found == expected if index == len(forms) - 1 else not found - expected
            if form and not ok:
                wrong.append(f"{ids[-1]!r} -> {form!r}")
    assert not wrong, "Placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


# ---- pages -----------------------------------------------------------------------------------

def compile_catalogs():
    """Compile each ``.po`` into its ``.mo`` unless the ``.mo`` is already newer (as `make translations`)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
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
    """The ``.mo`` files the app loads; a fresh clone has none until this (or `make setup`) runs."""
    compile_catalogs()


@pytest.fixture
def store_client(compiled_catalogs, client, create_store):
    """A test client of an app with one store, its catalogues compiled before the first request."""
    create_store()
    return client


def page_text(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_login_page_is_chinese_by_default(store_client):
    html = page_text(store_client.get("/login"))
    assert '<html lang="zh-Hans">' in html
    assert "登录" in html
    assert "手机号" in html  # a lazily translated form label
    assert "Log in" not in html


def test_login_page_follows_a_chinese_browser(store_client):
    html = page_text(store_client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}))
    assert "登录" in html
    assert "Log in" not in html


def test_login_page_follows_an_english_browser(store_client):
    html = page_text(store_client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert "Log in" in html
    assert "登录" not in html


def test_language_cookie_wins_over_the_browser(store_client):
    store_client.set_cookie("lang", "en")
    html = page_text(store_client.get("/login", headers={"Accept-Language": "zh-CN"}))
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Mobile number" in html
    assert "登录" not in html


def test_javascript_tokens_reach_the_page_with_one_percent_sign(store_client):
    html = page_text(store_client.get("/register"))
    assert 'data-msg-found="找到 %n 个楼栋"' in html
    assert 'data-msg-nearest="最近的楼栋：%b（距离 %m 米）"' in html
