"""Pure rules shared by the CSV imports (products, parcel manifests): decoding an upload, the header,
and the file read line by line. What each line means is the importing domain's business.

Line numbers count the header as line 1. Problems of the file as a whole are ``CsvFileError`` codes
with parameters; each domain's ``ImportRefused`` turns them into sentences (``web.csv_files``).
"""
import csv
import io

# The largest CSV file an import route reads: a few thousand lines fit in well under half of it.
MAX_FILE_BYTES = 4 * 1024 * 1024


class CsvFileError(ValueError):
    """The file as a whole cannot be read; ``args[0]`` is a code, ``args[1]`` parameters."""

    @property
    def code(self):
        return self.args[0]

    @property
    def params(self):
        return self.args[1] if len(self.args) > 1 else {}


def decode_csv(data):
    """Bytes of a CSV file -> text: UTF-8 (with or without a BOM), else GB18030 as Excel saves it in China."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFileError("encoding")


def _header(reader, columns, required_columns):
    """``{column: position}`` from the header line, in any order and case; ``CsvFileError`` if one is missing."""
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CsvFileError("empty") from exc
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    missing = [name for name in required_columns if name not in names]
    if missing:
        raise CsvFileError("missing_columns", {"columns": ", ".join(missing)})
    return {name: names.index(name) for name in columns if name in names}


def read_lines(text, columns, required_columns, max_rows):
    """Yield ``(line, {column: text})`` for each non-blank line of the CSV ``text`` after its header
    (``line`` is where the record starts); ``CsvFileError`` for a bad header, more than ``max_rows``
    lines, or a line the CSV reader cannot read. A column the file lacks reads as ``""``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    positions = _header(reader, columns, required_columns)
    count, line = 0, reader.line_num
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if count >= max_rows:
                raise CsvFileError("too_many_rows", {"max": max_rows})
            count += 1
            yield start, {name: record[index] if index < len(record) else "" for name, index in positions.items()}
    except csv.Error as exc:
        raise CsvFileError("unreadable", {"line": line + 1}) from exc
