"""Checking in a courier's manifest (CSV): every good line through ``checkin.check_in``, each in
its own savepoint, so a refused line leaves no trace and a good one is saved whole. Used by the
console's upload page and by ``flask parcels import-csv``."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..web.csv_files import file_problem_message
from . import checkin, csv_rules, errors


@dataclass(frozen=True)
class Counter:
    """Who checks the parcels in: a staff member, or nobody in particular (the command line)."""

    id: int | None
    store_id: int


class ImportRefused(errors.ParcelError):
    """The file as a whole cannot be imported (encoding, header, size); nothing was checked in."""

    field = "file"

    def __init__(self, code, params=None):
        super().__init__(code)
        # Where the file goes wrong: the header, unless a line is named.
        self.line = (params or {}).get("line") or 1
        self.message = file_problem_message(code, params)


LINE_MESSAGES = {
    "size_unknown": _l("Size “%(value)s”: write small, medium or large."),
    "name_too_long": _l("The recipient's name is longer than %(max)d characters."),
}


@dataclass
class ImportReport:
    """What an import did: ``[(line, label code)]`` checked in, ``[(line, message)]`` refused."""

    imported: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def to_json(self):
        """``{"imported": n, "errors": [{"line": k, "error": "..."}]}`` (messages in the current language)."""
        return {"imported": len(self.imported),
                "errors": [{"line": line, "error": str(message)} for line, message in self.problems]}


def read_upload(data):
    """Decoded text of an uploaded file (UTF-8 or GB18030), or ``ImportRefused``."""
    try:
        return csv_rules.decode_csv(data)
    except csv_rules.CsvFileError as exc:
        raise ImportRefused(exc.code) from exc


def import_manifest(counter, text, now):
    """Check in every good line of the CSV ``text`` for ``counter`` (a staff ``User`` or a ``Counter``);
    returns ``ImportReport`` with the lines in file order. ``ImportRefused`` if the file is unusable.

    A line already checked in (this file imported twice) is refused as a duplicate, like at the counter.
    """
    try:
        parsed = csv_rules.parse_manifest(text)
    except csv_rules.CsvFileError as exc:
        raise ImportRefused(exc.code, exc.params) from exc
    report = ImportReport()
    problems = {p.line: LINE_MESSAGES[p.code] % {"value": "", "max": 0, **p.params} for p in parsed.problems}
    for line in parsed.lines:
        try:
            checkin.clean_check_in(line.tracking_number, line.carrier, line.recipient_phone, line.size)
            with db.session.begin_nested():
                done = checkin.check_in(counter, tracking_number=line.tracking_number, carrier=line.carrier,
                                        phone=line.recipient_phone, name=line.recipient_name,
                                        size=line.size, now=now)
        except errors.ParcelError as exc:
            problems[line.line] = exc.message
            continue
        report.imported.append((line.line, done.parcel.shelf_code))
    report.problems = sorted(problems.items())
    return report
