"""Every table of the board as rows for CSV (``web.csv_files.csv_text``: formula-safe) and XLSX
(xlsxwriter: strings never read as formulas, numbers as numbers)."""
import io

import xlsxwriter
from flask_babel import gettext as _

from . import board_rules, kpi_rules, tiles

TABLES = ("tiles", "daily", "click_to_door", "dwell", "retention")


def _period_row(board):
    return [_("Period"), board.period.first.isoformat(), board.period.last.isoformat(), _("Time zone"), board.tz,
            _("Complete") if board.complete else _("Incomplete")]


def tile_rows(board):
    """Each tile: section, name, value, previous value, change, definition (money in yuan)."""
    rows = [[_("Section"), _("Figure"), _("Value"), _("Previous period"), _("Change"), _("Definition")]]
    for _key, section, section_tiles in tiles.SECTIONS:
        for tile in section_tiles:
            change, _direction = tiles.comparison(tile, board)
            rows.append([str(section), str(tile.label), tiles.export_value(tile, board.figures.get(tile.key)),
                         tiles.export_value(tile, board.previous_figures.get(tile.key)), change or "",
                         str(tile.definition)])
    return rows


def daily_rows(board):
    """Per day: GMV net (yuan), orders, DAU."""
    rows = [[_("Day"), _("GMV net"), _("Orders"), _("DAU")]]
    rows += [[day.isoformat(), round(gmv / 100, 2), orders, dau] for day, gmv, orders, dau in board.daily]
    return rows


def bucket_rows(counts, edges, unit_label):
    """A histogram: bucket, count, share."""
    total = sum(counts)
    rows = [[unit_label, _("Count"), _("Share")]]
    for label, count in zip(board_rules.bucket_labels(edges, ""), counts):
        rows.append([label, count, round(count / total, 4) if total else None])
    return rows


def retention_rows(board):
    """Per cohort week: its Monday, the cohort's size, 7- and 30-day retention (empty: not known yet)."""
    rows = [[_("Cohort week (Monday)"), _("New buyers"), _("7-day retention"), _("30-day retention")]]
    rows += [[monday.isoformat(), size, None if r7 is None else round(r7, 4), None if r30 is None else round(r30, 4)]
             for monday, size, r7, r30 in board.retention]
    return rows


def table_rows(board, name):
    """The rows of table ``name`` (one of ``TABLES``), after a line naming the period and time zone."""
    if name == "tiles":
        body = tile_rows(board)
    elif name == "daily":
        body = daily_rows(board)
    elif name == "click_to_door":
        body = bucket_rows(board.distributions["c2d"], kpi_rules.C2D_EDGES_MIN, _("Minutes"))
    elif name == "dwell":
        body = bucket_rows(board.distributions["dwell"], kpi_rules.DWELL_EDGES_H, _("Hours"))
    else:
        body = retention_rows(board)
    return [_period_row(board), [], *body]


def xlsx_bytes(rows, sheet_name):
    """The rows as a one-sheet workbook: numbers as numbers, every text as text."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name[:31])
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    sheet.set_column(0, 1, 24)
    sheet.set_column(2, 5, 16)
    book.close()
    return out.getvalue()
