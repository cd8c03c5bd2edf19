"""Product search, pure: the pinyin key kept beside a Chinese name, and the order of the results.

A resident types "牛奶", "milk", "niunai" or just "nn". The pinyin forms of a name are computed once,
when the name is saved (``pinyin_key``), and kept in the row as one text: the syllables run
together, the syllables apart and the initials (``"guangmingchunniunai|guang ming chun niu nai|gmcnn"``).
The database only narrows the candidates with cheap LIKEs on that text and the names; this module
then decides, for each candidate, whether it really matches and how well (``match_rank``):

0. exact: a name (Chinese, English, pinyin or initials) is the word;
1. prefix: a name starts with the word;
2. category: the product's category is what was asked for ("乳品", "fruit", "shuiguo");
3. substring: the word is inside a name (pinyin only from the start of a syllable), where a name that
   *ends* with the word comes first: in Chinese the last part of a name says what the thing is, so
   光明纯牛奶 is milk and 德芙丝滑牛奶巧克力 is chocolate (English, "Whole Milk" and "Milk Chocolate",
   agrees).

Results are ordered by that rank, then by the feed's own order (sales, the resident's habits), then by
id. Plain values in, plain values out.
"""
import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

# What a search looks at: the first 60 characters, at most 6 words (as the gazetteer's search).
QUERY_MAX_CHARS, QUERY_MAX_WORDS = 60, 6
EXACT, PREFIX, CATEGORY, SUBSTRING = 0, 1, 2, 3
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEPARATOR = "|"


def search_words(text):
    """The words a search looks for: lower case, at most ``QUERY_MAX_WORDS`` of the first
    ``QUERY_MAX_CHARS`` characters."""
    cut = " ".join((text or "").lower().split())[:QUERY_MAX_CHARS]
    return cut.split()[:QUERY_MAX_WORDS]


def pinyin_key(name):
    """The stored pinyin forms of a Chinese name: ``"<joined>|<syllables>|<initials>"``; ``""``
    when the name has no Chinese character. Only Chinese characters count (digits, Latin words and
    brackets are searched in the name itself)."""
    han = "".join(_HAN.findall(name or ""))
    if not han:
        return ""
    syllables = [s.lower() for s in lazy_pinyin(han, errors="ignore") if s.isascii() and s.isalpha()]
    initials = [s[:1] for s in lazy_pinyin(han, style=Style.FIRST_LETTER, errors="ignore")
                if s.isascii() and s.isalpha()]
    return _SEPARATOR.join(("".join(syllables), " ".join(syllables), "".join(initials)))


@dataclass(frozen=True)
class Pinyin:
    """A name's pinyin read back from its stored key."""

    syllables: tuple = ()
    initials: str = ""

    @property
    def joined(self):
        return "".join(self.syllables)

    def syllable_tails(self):
        """The pinyin from each syllable on: ``niunai``, ``nai`` for 牛奶."""
        return ["".join(self.syllables[i:]) for i in range(len(self.syllables))]


def read_pinyin(key):
    """The ``Pinyin`` of a stored key (empty for ``""`` or a key of another shape)."""
    parts = (key or "").split(_SEPARATOR)
    if len(parts) != 3:
        return Pinyin()
    return Pinyin(tuple(parts[1].split()), parts[2])


@dataclass(frozen=True)
class SearchText:
    """What search reads of one product: its names, their pinyin keys and its category's."""

    product_id: int
    name_zh: str
    name_en: str
    pinyin: str = ""
    barcode: str | None = None
    category_zh: str = ""
    category_en: str = ""
    category_pinyin: str = ""


def _word_rank(word, text):
    """``(tier, 0 or 1)`` for one word against one product, or None when it does not match."""
    names, pinyin = [text.name_zh.lower(), text.name_en.lower()], read_pinyin(text.pinyin)
    pinyin_names = [n for n in (pinyin.joined, pinyin.initials) if n]
    if (text.barcode and word == text.barcode.lower()) or word in names or word in pinyin_names:
        return (EXACT, 0)
    if any(n.startswith(word) for n in names + pinyin_names):
        return (PREFIX, 0)
    category = read_pinyin(text.category_pinyin)
    if (any(word in n.lower() for n in (text.category_zh, text.category_en) if n)
            or any(n.startswith(word) for n in (category.joined, category.initials) if n)):
        return (CATEGORY, 0)
    inside = [n for n in names if word in n]
    tails = [t for t in pinyin.syllable_tails() if t.startswith(word)]
    in_initials = bool(pinyin.initials) and word in pinyin.initials
    if not (inside or tails or in_initials):
        return None
    ends = (any(n.endswith(word) for n in inside) or any(t == word for t in tails)
            or (in_initials and pinyin.initials.endswith(word)))
    return (SUBSTRING, 0 if ends else 1)


def match_rank(words, text):
    """How well a product matches every one of ``words`` (lower case): a tuple, smaller is better,
    or None when some word does not match. Its first item is the tier (``EXACT`` … ``SUBSTRING``)."""
    if not words:
        return (EXACT, 0)
    ranks = [_word_rank(word, text) for word in words]
    if any(rank is None for rank in ranks):
        return None
    return max(ranks)  # a product is as good a match as its worst word


def order_by_match(ranks, order):
    """The ids of ``order`` (the feed's ranking) that are in ``ranks`` (``{id: match_rank}``), the best
    matches first and in the feed's order within the same rank."""
    place = {product_id: index for index, product_id in enumerate(order)}
    return sorted((pid for pid in order if pid in ranks), key=lambda pid: (ranks[pid], place[pid]))
