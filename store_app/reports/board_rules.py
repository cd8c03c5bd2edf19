"""The board's figures from rollup sums, pure: every tile's value for one period, and the per-day
series and distributions its charts draw. ``sums`` is ``{(line, metric): total over the period}``;
``daily`` is ``{day: {(line, metric): value}}`` for the metrics read per day (``DAILY_METRICS``)."""
from collections import defaultdict

from . import kpi_rules
from .kpi_rules import C2D_EDGES_MIN, DOOR_LINES, DWELL_EDGES_H, SALES_LINES, ratio

# Metrics the board reads day by day (charts, values as of a day, retention cohorts).
DAILY_METRICS = ("gmv_net_cents", "orders_net", "dau", "wau", "mau", "new_buyers", "retained_7", "retained_30")
PREVIOUS_DAILY_METRICS = ("wau", "mau", "new_buyers", "retained_7", "retained_30")


def _buckets(sums, lines, prefix, edges):
    return [sum(sums.get((line, f"{prefix}{i}"), 0) for line in lines) for i in range(len(edges) + 1)]


def cohorts_of(daily, period, n):
    """``{cohort day: (size, retained at N days)}`` of the period's days."""
    return {day: (values.get(("residents", "new_buyers"), 0), values.get(("residents", f"retained_{n}"), 0))
            for day, values in daily.items() if period.first <= day <= period.last}


def _sales(sums):
    total = lambda metric, lines=SALES_LINES: sum(sums.get((line, metric), 0) for line in lines)  # noqa: E731
    found = {"gmv_gross_cents": total("gmv_gross_cents"), "gmv_net_cents": total("gmv_net_cents"),
             "orders": total("orders_net")}
    found["aov_cents"] = ratio(found["gmv_net_cents"], found["orders"])
    for line in SALES_LINES:
        orders, net = sums.get((line, "orders_net"), 0), sums.get((line, "gmv_net_cents"), 0)
        found[f"orders_{line}"], found[f"aov_{line}"] = orders, ratio(net, orders)
    return found


def _residents(sums, daily, period, today):
    end = min(period.last, today)
    as_of = daily.get(end, {})
    found = {"dau": ratio(sums.get(("residents", "dau"), 0), kpi_rules.elapsed_days(period, today)),
             "wau": as_of.get(("residents", "wau"), 0) if end >= period.first else None,
             "mau": as_of.get(("residents", "mau"), 0) if end >= period.first else None,
             "new_buyers": sums.get(("residents", "new_buyers"), 0),
             "returning_share": ratio(sums.get(("residents", "returning_purchases"), 0),
                                      sums.get(("residents", "purchases"), 0))}
    for n in kpi_rules.RETENTION_DAYS:
        found[f"retention_{n}"] = kpi_rules.retention_rate(cohorts_of(daily, period, n), n, today)
    return found


def _delivery(sums):
    delivered = sum(sums.get((line, "delivered"), 0) for line in DOOR_LINES)
    c2d = _buckets(sums, DOOR_LINES, "c2d_b", C2D_EDGES_MIN)
    p50, _open50 = kpi_rules.percentile_from_buckets(c2d, C2D_EDGES_MIN, 0.5)
    p90, open90 = kpi_rules.percentile_from_buckets(c2d, C2D_EDGES_MIN, 0.9)
    seconds = sum(sums.get((line, "c2d_sum_s"), 0) for line in DOOR_LINES)
    return {"on_time_share": ratio(sum(sums.get((line, "on_time"), 0) for line in DOOR_LINES), delivered),
            "delivered": delivered, "c2d_avg_min": ratio(seconds / 60, delivered),
            "c2d_p50_min": p50, "c2d_p90_min": p90, "c2d_p90_open": open90}


def _parcels(sums):
    get = lambda metric: sums.get(("parcels", metric), 0)  # noqa: E731
    dwell = _buckets(sums, ("parcels",), "dwell_b", DWELL_EDGES_H)
    p90, open90 = kpi_rules.percentile_from_buckets(dwell, DWELL_EDGES_H, 0.9)
    return {"checked_in": get("checked_in"), "dwell_avg_h": ratio(get("dwell_sum_s") / 3600, get("collected")),
            "dwell_p90_h": p90, "dwell_p90_open": open90,
            "overdue_rate": ratio(get("overdue"), get("checked_in")),
            "return_rate": ratio(get("returned"), get("checked_in"))}


def _breakfast(sums):
    get = lambda metric: sums.get(("breakfast", metric), 0)  # noqa: E731
    return {"breakfast_volume": get("volume"), "no_shows": get("no_shows"),
            "no_show_rate": ratio(get("no_shows"), get("volume")), "grace_credits": get("grace_credits")}


def _services(sums):
    get = lambda metric: sums.get(("services", metric), 0)  # noqa: E731
    return {"bookings": get("orders"), "accept_avg_min": ratio(get("accept_sum_s") / 60, get("accepted")),
            "complaint_rate": ratio(get("claims"), get("orders_net")),
            "redo_rate": ratio(get("redos"), get("orders_net")), "commission_cents": get("commission_cents")}


def _growth(sums):
    get = lambda metric: sums.get(("growth", metric), 0)  # noqa: E731
    treated, holdout = ratio(get("treated_converted"), get("treated")), ratio(get("holdout_converted"), get("holdout"))
    referral_spend_cents = get("referral_spend_cents")
    spend = get("coupon_cost_cents") + referral_spend_cents
    return {"coupon_cost_cents": get("coupon_cost_cents"), "coupon_orders": get("coupon_orders"),
            "uplift": None if treated is None or holdout is None else treated - holdout,
            "treated_rate": treated, "holdout_rate": holdout, "new_active": get("new_active"),
            "referral_spend_cents": referral_spend_cents,
            "cost_per_new_active_cents": ratio(spend, get("new_active"))}


def figures(sums, daily, period, today):
    """Every tile's value for ``period`` (None where there is nothing to divide by)."""
    return {**_sales(sums), **_residents(sums, daily, period, today), **_delivery(sums), **_parcels(sums),
            **_breakfast(sums), **_services(sums), **_growth(sums)}


def distributions(sums):
    """Bucket counts for the charts: ``{"c2d": [...], "dwell": [...]}``."""
    return {"c2d": _buckets(sums, DOOR_LINES, "c2d_b", C2D_EDGES_MIN),
            "dwell": _buckets(sums, ("parcels",), "dwell_b", DWELL_EDGES_H)}


def bucket_labels(edges, unit):
    """``["<10", "10-15", ..., "120+"]`` with ``unit`` appended to nothing (the chart names the unit)."""
    labels = [f"<{edges[0]}"] + [f"{a}-{b}" for a, b in zip(edges, edges[1:])] + [f"{edges[-1]}+"]
    return [label + unit for label in labels]


def daily_rows(daily, period):
    """``[(day, gmv_net_cents, orders, dau)]`` for every day of the period (0 on days with nothing)."""
    rows = []
    for day in period.dates():
        values = daily.get(day, {})
        rows.append((day, sum(values.get((line, "gmv_net_cents"), 0) for line in SALES_LINES),
                     sum(values.get((line, "orders_net"), 0) for line in SALES_LINES),
                     values.get(("residents", "dau"), 0)))
    return rows


def retention_weeks(daily, period, today):
    """``[(monday, cohort size, 7-day rate or None, 30-day rate or None)]``: the period's cohorts by
    week (weeks start on Monday), each rate pooled over the week's cohorts whose day N is over."""
    weeks = defaultdict(dict)
    for n in kpi_rules.RETENTION_DAYS:
        for day, pair in cohorts_of(daily, period, n).items():
            weeks[kpi_rules.week_start(day)].setdefault(n, {})[day] = pair
    rows = []
    for monday in sorted(weeks):
        by_n = weeks[monday]
        size = sum(size for size, _kept in by_n[kpi_rules.RETENTION_DAYS[0]].values())
        rates = [kpi_rules.retention_rate(by_n[n], n, today) for n in kpi_rules.RETENTION_DAYS]
        rows.append((monday, size, *rates))
    return rows

