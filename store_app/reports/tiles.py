"""The board's tiles: what each figure is called, how it is defined (shown on the tile), how it is
written, and which section it belongs to; plus the tables the board exports. Translated when shown."""
from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import parse_pattern
from flask_babel import get_locale, lazy_gettext as _l

from ..database import format_cents
from . import kpi_rules


@dataclass(frozen=True)
class Tile:
    key: str          # the figure's key in ``board_rules.figures``
    label: object     # lazy text
    definition: object
    kind: str         # money, count, share, minutes, hours, decimal


SECTIONS = (
    ("sales", _l("Sales"), (
        Tile("gmv_gross_cents", _l("GMV gross"), _l("Totals of every order, breakfast and booking placed in the "
                                                    "period, before refunds and cancellations."), "money"),
        Tile("gmv_net_cents", _l("GMV net"), _l("GMV gross less refunds, without cancelled, failed or uncooked "
                                                "orders and bookings not completed."), "money"),
        Tile("orders", _l("Orders"), _l("Orders, breakfasts and bookings counted in GMV net."), "count"),
        Tile("aov_cents", _l("Average order value"), _l("GMV net divided by orders."), "money"),
        Tile("orders_delivery", _l("Delivery orders"),
             _l("Delivery orders placed in the period, not cancelled or failed."), "count"),
        Tile("aov_delivery", _l("Delivery AOV"), _l("Average net value of a delivery order."), "money"),
        Tile("orders_pickup", _l("Pickup orders"), _l("Pickup orders placed in the period, not cancelled."), "count"),
        Tile("aov_pickup", _l("Pickup AOV"), _l("Average net value of a pickup order."), "money"),
        Tile("orders_parcel_door", _l("Parcel door deliveries"),
             _l("Orders that only carried parcels to a door (no goods)."), "count"),
        Tile("orders_breakfast", _l("Breakfasts"), _l("Breakfast orders cooked, by breakfast date."), "count"),
        Tile("aov_breakfast", _l("Breakfast AOV"), _l("Average value of a cooked breakfast order."), "money"),
        Tile("orders_services", _l("Service jobs completed"), _l("Bookings confirmed in the period and completed."),
             "count"),
        Tile("aov_services", _l("Service AOV"), _l("Average net value of a completed service job."), "money"),
    )),
    ("residents", _l("Residents"), (
        Tile("dau", _l("DAU"), _l("Residents active per day (opened a page while logged in), averaged over the "
                                  "period's days so far."), "decimal"),
        Tile("wau", _l("WAU"), _l("Distinct residents active in the 7 days ending on the period's last day "
                                  "(or today)."), "count"),
        Tile("mau", _l("MAU"), _l("Distinct residents active in the 30 days ending on the period's last day "
                                  "(or today)."), "count"),
        Tile("new_buyers", _l("New buyers"), _l("Residents whose first purchase on any line was in the period."),
             "count"),
        Tile("returning_share", _l("Returning purchases"),
             _l("Share of purchases made by residents who had bought on an earlier day."), "share"),
        Tile("retention_7", _l("7-day retention"),
             _l("N-day retention: of residents whose first purchase was on a day of the period, the share active "
                "exactly 7 days later. Cohorts whose 7th day has not ended are left out."), "share"),
        Tile("retention_30", _l("30-day retention"),
             _l("N-day retention: of residents whose first purchase was on a day of the period, the share active "
                "exactly 30 days later. Cohorts whose 30th day has not ended are left out."), "share"),
    )),
    ("delivery", _l("Delivery"), (
        Tile("on_time_share", _l("On time"), _l("Share of delivered orders (goods and parcels) handed over by "
                                                "the time promised at checkout."), "share"),
        Tile("c2d_avg_min", _l("Click to door, average"), _l("Minutes from placing the order to delivery."),
             "minutes"),
        Tile("c2d_p50_min", _l("Click to door, median"), _l("Estimated from 5-minute buckets (the chart's bars)."),
             "minutes"),
        Tile("c2d_p90_min", _l("Click to door, p90"), _l("9 in 10 deliveries took at most this long; estimated "
                                                         "from 5-minute buckets."), "minutes"),
    )),
    ("parcels", _l("Parcels"), (
        Tile("checked_in", _l("Parcels checked in"), _l("Parcels checked in during the period."), "count"),
        Tile("dwell_avg_h", _l("Dwell time, average"), _l("Hours from check-in to handover, of parcels handed "
                                                          "over in the period."), "hours"),
        Tile("dwell_p90_h", _l("Dwell time, p90"), _l("9 in 10 parcels waited at most this long; estimated from "
                                                      "hour buckets."), "hours"),
        Tile("overdue_rate", _l("Overdue"), _l("Share of parcels checked in that stayed past the free storage "
                                               "days (still waiting ones count up to now)."), "share"),
        Tile("return_rate", _l("Returned"), _l("Share of parcels checked in that went back to the carrier."),
             "share"),
    )),
    ("breakfast", _l("Breakfast"), (
        Tile("breakfast_volume", _l("Breakfasts cooked"), _l("Orders the kitchen cooked, by breakfast date."),
             "count"),
        Tile("no_shows", _l("No-shows"), _l("Cooked breakfasts nobody collected."), "count"),
        Tile("no_show_rate", _l("No-show rate"), _l("No-shows divided by breakfasts cooked."), "share"),
        Tile("grace_credits", _l("Grace credits used"), _l("Breakfasts cooked on credit within the store's grace "
                                                            "because the wallet was short."), "count"),
    )),
    ("services", _l("Services"), (
        Tile("bookings", _l("Bookings"), _l("Service bookings confirmed in the period (redo jobs not counted)."),
             "count"),
        Tile("accept_avg_min", _l("Time to accept"), _l("Average minutes from confirmation to a vendor "
                                                        "accepting."), "minutes"),
        Tile("complaint_rate", _l("Complaint rate"), _l("After-sales claims divided by completed jobs."), "share"),
        Tile("redo_rate", _l("Redo rate"), _l("Claims settled with a free redo, divided by completed jobs."),
             "share"),
        Tile("commission_cents", _l("Commission earned"), _l("The store's share of completed jobs, by the day "
                                                             "it was booked in the vendors' ledger."), "money"),
    )),
    ("growth", _l("Growth"), (
        Tile("coupon_cost_cents", _l("Coupon cost"), _l("Discounts given by coupons used in the period."),
             "money"),
        Tile("coupon_orders", _l("Orders with a coupon"), _l("Purchases that used at least one coupon "
                                                             "(attributable orders)."), "count"),
        Tile("uplift", _l("Campaign uplift"), _l("Conversion of reached members minus conversion of the holdout, "
                                                 "for campaigns with a holdout, by the day members were "
                                                 "assigned."), "share"),
        Tile("new_active", _l("New active residents"), _l("Residents whose first completed purchase was in the "
                                                          "period."), "count"),
        Tile("referral_spend_cents", _l("Referral spend"), _l("Referral reward points paid to both sides in the "
                                                              "period, less rewards taken back, at one fen a point."),
             "money"),
        Tile("cost_per_new_active_cents", _l("Cost per new active resident"),
             _l("(Coupon cost + referral spend) divided by new active residents."), "money"),
    )),
)
TILES = {tile.key: tile for _key, _name, tiles in SECTIONS for tile in tiles}
OPEN_FLAGS = {"c2d_p90_min": "c2d_p90_open", "dwell_p90_h": "dwell_p90_open"}


@lru_cache(maxsize=16)
def _pattern(pattern):
    return parse_pattern(pattern)


def format_number(value, pattern):
    """``value`` in the page's locale by a Babel number pattern ("#,##0.0", "#,##0.0%"): Babel's own
    ``format_decimal`` parses its pattern on every call, too slow for a board of 45 tiles."""
    return _pattern(pattern).apply(value, get_locale())


def format_value(tile, value, figures=None):
    """A figure as the page writes it: "¥12.50", "1,234", "87.5%", "23 min", "18.2 h"; "–" for none."""
    if value is None:
        return "–"
    prefix = ">" if figures and figures.get(OPEN_FLAGS.get(tile.key)) else ""
    if tile.kind == "money":
        return format_cents(round(value))
    if tile.kind == "count":
        return format_number(value, "#,##0")
    if tile.kind == "share":
        return format_number(value, "#,##0.0%")
    if tile.kind == "minutes":
        return prefix + str(_l("%(n)s min", n=format_number(value, "#,##0.0")))
    if tile.kind == "hours":
        return prefix + str(_l("%(n)s h", n=format_number(value, "#,##0.0")))
    return format_number(value, "#,##0.0")


def export_value(tile, value):
    """A figure for a spreadsheet: money in yuan, shares as fractions, None as an empty cell."""
    if value is None:
        return None
    if tile.kind == "money":
        return round(value / 100, 2)
    return round(value, 4) if isinstance(value, float) else value


def comparison(tile, board):
    """``(change text, direction)`` of a tile against the previous period: "+12%" or "+3.5 pp"."""
    change, direction = kpi_rules.comparison(board.figures.get(tile.key), board.previous_figures.get(tile.key),
                                             "share" if tile.kind == "share" else "percent")
    if change is None:
        return None, None
    signed = ("+" if change > 0 else "") + str(change)
    text = str(_l("%(n)s pp", n=signed)) if tile.kind == "share" else signed + "%"
    return text, direction
