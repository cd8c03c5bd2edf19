"""Pure rules for a courier's manifest (CSV): the header, and each line read on its own.

Columns: ``tracking_number,carrier,recipient_phone,recipient_name,size``; ``recipient_name`` and
``size`` may be left out or empty (an empty size is a small parcel). Line numbers count the header as
line 1. A line's own check-in fields (tracking number, carrier, phone) are judged by the check-in
itself (``checkin.clean_check_in``), so the form, the batch page and the file say the same thing;
here only what belongs to the file: its shape, the size words, the name's length.
"""
from dataclasses import dataclass, field

from ..csv_rules import CsvFileError, decode_csv, read_lines
from .rules import SIZES

__all__ = ["COLUMNS", "CsvFileError", "LineProblem", "ParcelLine", "ParsedManifest", "decode_csv",
           "parse_line", "parse_manifest", "parse_size"]

COLUMNS = ("tracking_number", "carrier", "recipient_phone", "recipient_name", "size")
REQUIRED_COLUMNS = COLUMNS[:3]
MAX_ROWS = 2000
NAME_MAX = 80
# What couriers' manifests write for a size, besides our own words.
SIZE_WORDS = {"": "small", "s": "small", "小": "small", "小件": "small",
              "m": "medium", "中": "medium", "中件": "medium",
              "l": "large", "大": "large", "大件": "large"}


@dataclass(frozen=True)
class ParcelLine:
    """One line that can be checked in (its fields still as typed, apart from the size)."""

    line: int
    tracking_number: str
    carrier: str
    recipient_phone: str
    recipient_name: str
    size: str


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line: a code and its parameters."""

    line: int
    code: str
    params: dict


@dataclass
class ParsedManifest:
    """The lines to check in and the lines refused already, in file order."""

    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def parse_size(text):
    """``"Medium"``, ``"m"``, ``"中件"`` -> ``"medium"``; empty -> ``"small"``; None if unknown."""
    word = (text or "").strip().lower()
    return word if word in SIZES else SIZE_WORDS.get(word)


def parse_line(values, line):
    """``{column: text}`` of one line -> ``ParcelLine``, or the ``LineProblem`` of its first fault."""
    size_text = values.get("size", "").strip()
    size = parse_size(size_text)
    if size is None:
        return LineProblem(line, "size_unknown", {"value": size_text[:20]})
    name = " ".join(values.get("recipient_name", "").split())
    if len(name) > NAME_MAX:
        return LineProblem(line, "name_too_long", {"max": NAME_MAX})
    return ParcelLine(line, values.get("tracking_number", "").strip(), values.get("carrier", "").strip(),
                      values.get("recipient_phone", "").strip(), name, size)


def parse_manifest(text, max_rows=MAX_ROWS):
    """The text of a manifest -> ``ParsedManifest``; ``CsvFileError`` when the file as a whole is unusable."""
    parsed = ParsedManifest()
    for line, values in read_lines(text, COLUMNS, REQUIRED_COLUMNS, max_rows):
        result = parse_line(values, line)
        (parsed.lines if isinstance(result, ParcelLine) else parsed.problems).append(result)
    return parsed
