"""What the user is told when an uploaded CSV file cannot be imported as a whole (the codes of
``store_app.csv_rules.CsvFileError``, and ``nothing`` when no file or text came), shared by every import."""
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
