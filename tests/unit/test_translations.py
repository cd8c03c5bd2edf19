"""The Chinese catalogue is complete and safe (read from the files; the pages in the chosen
language are tests/functional/test_translations.py).

A string marked for translation in code or a template but missing from ``zh/messages.po`` fails
here with its msgid: run ``make extract-messages``, translate it, and the test passes again.
"""
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
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
