"""The owner's KPI board (``/console/board``, the owner's): a period against the one before
it, tiles by section with their definitions, SVG charts drawn here, every table as CSV and XLSX, and
the same figures as JSON for staff device tokens (``/api/v1/reports/board``). Reads only the rollup."""
from flask import Blueprint, jsonify, make_response, render_template, request
from flask_babel import format_date, gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import utcnow
from ..roles import Role
from ..web.api import SIGNED_IN, api_error, documented
from ..web.csv_files import csv_text
from ..web.errors import render_error
from ..web.guards import role_required
from . import board, board_rules, charts, exports, kpi_rules, tiles

bp = Blueprint("board", __name__)
owner_only = role_required(Role.OWNER)
# The JSON is also for the counter's devices: a staff token reads the same figures.
staff_only = role_required(Role.STAFF, Role.OWNER)
DEFAULT_PRESET = "7d"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_problem(reason):
    """The sentence for a period the board cannot show."""
    return {"date": _("Choose dates as year-month-day, e.g. 2026-12-07."), "order": _("The end date is before the start date."),
            "length": _("Choose at most %(days)d days.", days=kpi_rules.MAX_PERIOD_DAYS)}[reason]


def chosen_period(args, today):
    """``(period, preset or "custom", problem or None)`` from the query: ``from``/``to`` dates, else a
    ``preset``; bad input falls back to the default preset with the reason why."""
    if args.get("from") or args.get("to"):
        try:
            return kpi_rules.parse_period(args.get("from", ""), args.get("to", "")), "custom", None
        except kpi_rules.PeriodInvalid as exc:
            return kpi_rules.preset_period(DEFAULT_PRESET, today), DEFAULT_PRESET, period_problem(exc.reason)
    preset = args.get("preset", DEFAULT_PRESET)
    if preset not in kpi_rules.PRESETS:
        return kpi_rules.preset_period(DEFAULT_PRESET, today), DEFAULT_PRESET, period_problem("date")
    return kpi_rules.preset_period(preset, today), preset, None


def _load():
    store, now = current_user.store, utcnow()
    today = kpi_rules.local_day(now, store.timezone)
    period, preset, problem = chosen_period(request.args, today)
    return board.load_board(store, period, now), preset, problem


def _short_day(day):
    """"03-18": the same in both languages, and cheap for a year of days (Babel is not)."""
    return f"{day.month:02d}-{day.day:02d}"


def build_charts(data):
    """The four charts of the board, laid out for the template."""
    days = [_short_day(day) for day, *_rest in data.daily]
    gmv = charts.line_chart(days, [gmv / 100 for _day, gmv, _orders, _dau in data.daily],
                            lambda v: "¥" + tiles.format_number(v, "#,##0"))
    dau = charts.line_chart(days, [dau for _day, _gmv, _orders, dau in data.daily],
                            lambda v: tiles.format_number(v, "#,##0.#"))
    c2d = charts.bar_chart(board_rules.bucket_labels(kpi_rules.C2D_EDGES_MIN, ""), data.distributions["c2d"],
                           lambda v: tiles.format_number(v, "#,##0.#"))
    retention = charts.bar_chart([_short_day(monday) for monday, *_rest in data.retention],
                                 [r7 for _monday, _size, r7, _r30 in data.retention],
                                 lambda v: tiles.format_number(v, "#,##0%"), ceiling=1.0)
    return {"gmv": gmv, "dau": dau, "c2d": c2d, "retention": retention}


@bp.get("/console/board")
@owner_only
def page():
    """The board for the chosen period (the last 7 days unless told), compared with the one before."""
    data, preset, problem = _load()
    tile_sections = [(key, name, [(tile, tiles.format_value(tile, data.figures.get(tile.key), data.figures),
                                   tiles.format_value(tile, data.previous_figures.get(tile.key),
                                                      data.previous_figures),
                                   *tiles.comparison(tile, data)) for tile in section_tiles])
                     for key, name, section_tiles in tiles.SECTIONS]
    html = render_template("reports/board.html", board=data, preset=preset, problem=problem, sections=tile_sections,
                           charts=build_charts(data), presets=kpi_rules.PRESETS, tables=exports.TABLES,
                           c2d_labels=board_rules.bucket_labels(kpi_rules.C2D_EDGES_MIN, ""),
                           dwell_labels=board_rules.bucket_labels(kpi_rules.DWELL_EDGES_H, ""),
                           format_date=format_date, format_number=tiles.format_number, zip=zip)
    return html, 400 if problem else 200


@bp.get("/console/board/export/<table>.<fmt>")
@owner_only
def export(table, fmt):
    """One table of the board for the chosen period, as CSV or XLSX."""
    if table not in exports.TABLES or fmt not in ("csv", "xlsx"):
        return render_error(404)
    data, _preset, problem = _load()
    if problem:
        return render_error(400, problem)
    rows = exports.table_rows(data, table)
    name = f"board-{table}-{data.period.first.isoformat()}-{data.period.last.isoformat()}.{fmt}"
    if fmt == "csv":
        response = make_response(csv_text(rows).encode("utf-8"))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response = make_response(exports.xlsx_bytes(rows, table))
        response.headers["Content-Type"] = XLSX
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


class BoardQuery(BaseModel):
    from_: str | None = Field(None, alias="from", description="First day, YYYY-MM-DD, store time")
    to: str | None = Field(None, description="Last day, YYYY-MM-DD, included")
    preset: str | None = Field(None, description="today, 7d, month or 30d (when no dates are given)")


class PeriodOut(BaseModel):
    first: str
    last: str
    complete: bool = Field(description="False when the period includes today: its figures are still moving")


class BoardOut(BaseModel):
    time_zone: str
    today: str
    period: PeriodOut
    previous: PeriodOut
    figures: dict[str, float | int | bool | None] = Field(description="Money in cents, shares as 0-1 fractions")
    previous_figures: dict[str, float | int | bool | None]
    daily: list[dict[str, str | int]] = Field(description="Per day: day, gmv_net_cents, orders, dau")


def _period_json(period, today):
    return {"first": period.first.isoformat(), "last": period.last.isoformat(),
            "complete": kpi_rules.is_complete(period, today)}


@bp.get("/api/v1/reports/board")
@documented(query=BoardQuery, ok=(200, BoardOut), errors=(400, 403), security=SIGNED_IN, tags=["reports"])
@staff_only
def api_board():
    """The owner's board as JSON for a period (``from``/``to`` or a ``preset``) and the one before it."""
    data, _preset, problem = _load()
    if problem:
        return api_error(problem, 400)
    return jsonify(time_zone=data.tz, today=data.today.isoformat(), period=_period_json(data.period, data.today),
                   previous=_period_json(data.previous, data.today), figures=data.figures,
                   previous_figures=data.previous_figures,
                   daily=[{"day": day.isoformat(), "gmv_net_cents": gmv, "orders": orders, "dau": dau}
                          for day, gmv, orders, dau in data.daily])
