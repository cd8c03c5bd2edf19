"""A product's size, stored as a key and shown in the reader's language.

``Product.unit_label`` holds ``"<amount> <unit>"`` with ``unit`` a key of ``COUNTS`` (pieces, loaves,
bags... said differently in each language) or a metric symbol (``g``, ``kg``, ``ml``, ``L``, ``m``,
written the same in both), and a leading ``~`` for "about": ``"4 piece"``, ``"550 ml"``, ``"~2.5 kg"``.
``parse_unit`` reads what staff type in either language ("4 pieces", "4个", "约2.5kg") into that form;
``format_unit`` writes it for the page.
"""
import re

from flask_babel import gettext as _, ngettext

METRIC = {"g": "g", "kg": "kg", "ml": "ml", "l": "L", "m": "m"}

# key -> (the English words staff may type, the Chinese measure word)
COUNTS = {
    "piece": (("piece", "pieces", "pc", "pcs"), "个"),
    "loaf": (("loaf", "loaves"), "条"),
    "bag": (("bag", "bags"), "只"),
    "egg": (("egg", "eggs"), "枚"),
    "cup": (("cup", "cups"), "杯"),
    "bar": (("bar", "bars"), "块"),
    "bowl": (("bowl", "bowls"), "碗"),
    "box": (("box", "boxes"), "盒"),
    "bun": (("bun", "buns"), "个"),
    "cone": (("cone", "cones"), "支"),
    "head": (("head", "heads"), "颗"),
    "slice": (("slice", "slices"), "片"),
    "stalk": (("stalk", "stalks"), "根"),
    "mask": (("mask", "masks"), "片"),
    "pad": (("pad", "pads"), "片"),
    "roll": (("roll", "rolls"), "卷"),
    "wipe": (("wipe", "wipes"), "抽"),
    "pair": (("pair", "pairs"), "双"),
    "pack": (("pack", "packs"), "包"),
    "bottle": (("bottle", "bottles"), "瓶"),
    "stick": (("stick", "sticks"), "支"),
}
_WORDS = {word: key for key, (words, _zh) in COUNTS.items() for word in words}
_ZH_WORDS = {}
for _key, (_words, _zh) in COUNTS.items():
    _ZH_WORDS.setdefault(_zh, _key)  # "个" reads as a piece, "片" as a slice
_ZH_WORDS.update({"克": "g", "千克": "kg", "公斤": "kg", "毫升": "ml", "升": "L", "米": "m", "粒": "piece",
                  "件": "piece", "只": "bag", "根": "stalk"})
_PATTERN = re.compile(r"^(?P<about>~|about|约|大约)?\s*(?P<amount>\d+(?:\.\d+)?)\s*"
                      r"(?P<unit>[A-Za-z]+|[\u4e00-\u9fff]{1,2})$")


class UnknownUnit(ValueError):
    """Text that is not an amount with a known unit."""


def parse_unit(text):
    """The stored form of a size typed in either language: "4 pieces" -> "4 piece"; "" stays "".

    Raises ``UnknownUnit`` for anything else."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    match = _PATTERN.match(text.lower() if text.isascii() else text)
    if match is None:
        raise UnknownUnit(text)
    word = match["unit"]
    unit = METRIC.get(word.lower()) or _WORDS.get(word.lower()) or _ZH_WORDS.get(word)
    if unit is None:
        raise UnknownUnit(text)
    amount = match["amount"]
    if unit in COUNTS and "." in amount:
        raise UnknownUnit(text)  # pieces are whole
    return f"{'~' if match['about'] else ''}{amount} {unit}"


def _count_text(key, n):
    texts = {
        "piece": ngettext("%(num)d piece", "%(num)d pieces", n),
        "loaf": ngettext("%(num)d loaf", "%(num)d loaves", n),
        "bag": ngettext("%(num)d bag", "%(num)d bags", n),
        "egg": ngettext("%(num)d egg", "%(num)d eggs", n),
        "cup": ngettext("%(num)d cup", "%(num)d cups", n),
        "bar": ngettext("%(num)d bar", "%(num)d bars", n),
        "bowl": ngettext("%(num)d bowl", "%(num)d bowls", n),
        "box": ngettext("%(num)d box", "%(num)d boxes", n),
        "bun": ngettext("%(num)d bun", "%(num)d buns", n),
        "cone": ngettext("%(num)d cone", "%(num)d cones", n),
        "head": ngettext("%(num)d head", "%(num)d heads", n),
        "slice": ngettext("%(num)d slice", "%(num)d slices", n),
        "stalk": ngettext("%(num)d stalk", "%(num)d stalks", n),
        "mask": ngettext("%(num)d mask", "%(num)d masks", n),
        "pad": ngettext("%(num)d pad", "%(num)d pads", n),
        "roll": ngettext("%(num)d roll", "%(num)d rolls", n),
        "wipe": ngettext("%(num)d wipe", "%(num)d wipes", n),
        "pair": ngettext("%(num)d pair", "%(num)d pairs", n),
        "pack": ngettext("%(num)d pack", "%(num)d packs", n),
        "bottle": ngettext("%(num)d bottle", "%(num)d bottles", n),
        "stick": ngettext("%(num)d stick", "%(num)d sticks", n),
    }
    return texts[key]


def format_unit(stored):
    """A stored size in the page's language ("4 piece" -> "4 pieces" / "4个"); other text as it is."""
    try:
        canonical = parse_unit(stored)
    except UnknownUnit:
        return stored or ""
    if not canonical:
        return ""
    about = canonical.startswith("~")
    amount, unit = canonical.lstrip("~").split(" ", 1)
    shown = _count_text(unit, int(amount)) if unit in COUNTS else f"{amount} {unit}"
    return _("about %(amount)s", amount=shown) if about else shown
