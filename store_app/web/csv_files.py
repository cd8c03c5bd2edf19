"""What the user is told when an uploaded CSV file cannot be imported as a whole (the codes of
``store_app.csv_rules.CsvFileError``, and ``nothing`` when no file or text came), shared by every import."""
import csv
import io

from flask_babel import lazy_gettext as _l


def file_problem_message(code, params=None):
    """The sentence for a file-wide import problem ``code`` with its ``params`` (lazy: translated when shown)."""
    params = {"columns": "", "max": 0, "line": 0, **(params or {})}
    messages = {
        "encoding": _l("This file is not text in UTF-8 or GB18030. "
                       "Save it as CSV (UTF-8) and try again."),
        "empty": _l("The file is empty. The first line must name the columns."),
        "missing_columns": _l("The first line must name the columns. Missing: %(columns)s.",
                              columns=params["columns"]),
        "too_many_rows": _l("At most %(max)d lines at a time, please. Split the file.",
                            max=params["max"]),
        "unreadable": _l("Line %(line)d cannot be read as CSV (a stray quote?).", line=params["line"]),
        "nothing": _l("Choose a CSV file or paste its lines."),
    }
    return messages.get(code, messages["unreadable"])


# Characters that make a spreadsheet read a cell as a formula (CSV injection): such a text cell is
# written with a leading apostrophe, which spreadsheets show as plain text. Numbers are left alone.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """A value for an exported CSV cell: numbers as they are, text that a spreadsheet would run as a
    formula (``=HYPERLINK(...)``, ``@SUM``, ``-1+2``) prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")


def csv_text(rows):
    """The rows as CSV text (``\\r\\n`` line ends, a UTF-8 BOM so Excel in China opens it as UTF-8),
    every cell passed through ``safe_cell``."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out, lineterminator="\r\n").writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
