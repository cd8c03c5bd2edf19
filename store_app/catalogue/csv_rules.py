"""Pure rules for the product CSV import: decoding, the header, and each line checked on its own.

Columns: ``barcode,name_zh,name_en,category,price,stock,merchant``. ``merchant`` may be left out
or empty (the store's own goods). Line numbers count the header as line 1. Problems are codes with
parameters; ``errors.row_message`` turns them into sentences in the user's language.
"""
from dataclasses import dataclass, field

from ..csv_rules import CsvFileError, decode_csv, read_lines
from .rules import MAX_STOCK, PriceError, barcode_problem, parse_price_cents

COLUMNS = ("barcode", "name_zh", "name_en", "category", "price", "stock", "merchant")
REQUIRED_COLUMNS = COLUMNS[:-1]
MAX_ROWS = 5000
NAME_MAX = 120

__all__ = ["COLUMNS", "CsvFileError", "LineProblem", "ParsedCsv", "ProductRow", "decode_csv", "parse_product_csv",
           "parse_row"]


@dataclass(frozen=True)
class ProductRow:
    """One good line of the file."""

    line: int
    barcode: str
    name_zh: str
    name_en: str
    category: str
    price_cents: int
    stock: int
    merchant: str


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line: ``[(code, params), ...]``."""

    line: int
    problems: tuple


@dataclass
class ParsedCsv:
    """The lines that can be imported and the lines that cannot, in file order."""

    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _int(text):
    text = text.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    # ASCII digits only: "²" and "٣" are digits to str.isdigit(), not to int().
    if not digits or not (digits.isascii() and digits.isdigit()) or len(text) > 9:
        return None
    return int(text)


def _check_text(values, name, problems, max_length=NAME_MAX, required=True):
    value = values.get(name, "").strip()
    if required and not value:
        problems.append(("required", {"column": name}))
    elif len(value) > max_length:
        problems.append(("too_long", {"column": name, "max": max_length}))
    return value


def parse_row(values, line):
    """``{column: text}`` of one line -> ``ProductRow``, or ``LineProblem`` listing every problem."""
    problems = []
    barcode = values.get("barcode", "").strip()
    problem = barcode_problem(barcode)
    if problem:
        problems.append(("barcode_" + problem, {"value": barcode[:40]}))
    name_zh = _check_text(values, "name_zh", problems)
    name_en = _check_text(values, "name_en", problems)
    category = _check_text(values, "category", problems, max_length=60)
    merchant = _check_text(values, "merchant", problems, required=False)
    price_text = values.get("price", "").strip()
    price_cents = None
    try:
        price_cents = parse_price_cents(price_text)
    except PriceError as exc:
        problems.append(("price_" + exc.code, {"value": price_text[:40]}))
    stock = _int(values.get("stock", ""))
    if stock is None or not 0 <= stock <= MAX_STOCK:
        problems.append(("stock_invalid", {"value": values.get("stock", "").strip()[:40], "max": MAX_STOCK}))
    if problems:
        return LineProblem(line, tuple(problems))
    return ProductRow(line, barcode, name_zh, name_en, category, price_cents, stock, merchant)


def parse_product_csv(text, max_rows=MAX_ROWS):
    """The text of a CSV file -> ``ParsedCsv``; ``CsvFileError`` when the header is wrong.

    A barcode seen on an earlier line makes the later line a problem (which one would win?).
    """
    parsed, seen = ParsedCsv(), {}
    for line, values in read_lines(text, COLUMNS, REQUIRED_COLUMNS, max_rows):
        result = parse_row(values, line)
        if isinstance(result, ProductRow) and result.barcode in seen:
            result = LineProblem(line, (("barcode_repeated", {"first": seen[result.barcode]}),))
        elif isinstance(result, ProductRow):
            seen[result.barcode] = line
        (parsed.rows if isinstance(result, ProductRow) else parsed.problems).append(result)
    return parsed
