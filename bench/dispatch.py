"""Dispatch quality and speed: the planner against the greedy reference on the MDRP days and a store day.

How to run
    make bench                                  # every bench/*.py, this one included
    .venv/bin/python bench/dispatch.py          # the four mdrplib days + the store day, both policies
    .venv/bin/python bench/dispatch.py --interval 30 --out /tmp/dispatch-bench

The instances are read where they live (--data-root, else $MDRPLIB_DIR, else ../shared/benchmarks/mdrplib
next to the repository), never copied. Each day is replayed on a simulated clock (one planner cycle per
--interval seconds) by ``dispatch.sim``: the solution files and summary.json go to --out/<day>-<policy>/
(default bench/out/dispatch, ignored by git), and every solution is checked against the evaluator's
feasibility rules (an infeasible one stops the bench). The store day is ``StoreDaySpec()``: 100 orders,
4 couriers (as the demo store), one pickup point, 30-minute promise, checked on five seeds; rows with
more orders show the headroom and have no target.

Targets (exit status 1 when one is missed, each miss printed):
  every MDRP day: the planner beats greedy on mean click-to-door and on the share over the 40-minute
  target, delivers at least as many orders, delivers every order some courier could reach at all, and
  its mean click-to-door is at most 1.10x the lower bound (a courier already waiting at the restaurant);
  the largest day (7o100t100s1p100): planner cycles at its busiest hour p95 < 20 ms, the whole day < 30 s,
  peak memory < 500 MB; the store day (each of five seeds): at least 98 % of orders within 30 minutes.
Cycle times are wall-clock on a shared machine: other busy processes move them (not the quality numbers,
which are deterministic). Peak RSS is the process's peak so far (the days run smallest first).
"""
import argparse
import platform
import sys
from pathlib import Path

import numpy as np
import scipy

ROOT = Path(__file__).resolve().parent.parent
# A script's own folder comes first on sys.path, and this file would shadow the dispatch package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from dispatch.sim.mdrp import default_data_root, load_instance, planner_params  # noqa: E402
from dispatch.sim.runner import run_day  # noqa: E402
from dispatch.sim.solution import deliverable_orders  # noqa: E402
from dispatch.sim.store_day import StoreDaySpec, generate_store_day  # noqa: E402

INSTANCES = ("0o50t100s1p100", "0o100t100s1p100", "4o100t100s1p100", "7o100t100s1p100")
LARGEST = "7o100t100s1p100"
MAX_RATIO_TO_LOWER_BOUND = 1.10
MAX_BUSIEST_P95_MS = 20.0
MAX_WALL_S = 30.0
MAX_RSS_MB = 500.0
MIN_STORE_ON_TIME = 0.98
STORE_EXTRA_ORDERS = (120, 140)  # headroom rows, no target
STORE_SEEDS = tuple(range(7, 12))  # the store target holds on each of these days

# (title, width, format, summary key)
COLUMNS = [("day", -18, "", "day"), ("policy", -8, "", "policy"), ("orders", 6, "", "orders"),
           ("deliv", 6, "", "delivered"), ("mean", 6, ".1f", "mean_click_to_door_min"),
           ("p90", 5, ".0f", "p90_click_to_door_min"), (">tgt", 6, ".1%", "share_over_target"),
           (">max", 6, ".1%", "share_over_max"), ("LB", 5, ".1f", "lower_bound_mean_min"),
           ("/LB", 6, ".3f", "mean_over_lower_bound"), ("bndl", 5, "", "bundles"),
           ("p95ms", 6, ".2f", "p95_cycle_ms"), ("busy95", 7, ".2f", "p95_busiest_cycle_ms"),
           ("maxms", 7, ".1f", "max_cycle_ms"), ("wall s", 7, ".2f", "wall_s"),
           ("RSS MB", 7, ".0f", "peak_rss_mb")]


def _cell(text, width):
    return text.ljust(-width) if width < 0 else text.rjust(width)


def row(summary):
    """One table line for a run's summary."""
    return " ".join(_cell(format(summary[key], fmt) if summary.get(key) is not None else "-", width)
                    for _title, width, fmt, key in COLUMNS)


def header():
    """The table's header line."""
    return " ".join(_cell(title, width) for title, width, _fmt, _key in COLUMNS)


def run_pair(day, out_root, interval_s):
    """Greedy then planner on one day: their summaries (files written and checked under ``out_root``)."""
    pair = {}
    for policy in ("greedy", "planner"):
        summary, _ = run_day(day, policy, out_root / f"{day.name}-{policy}", interval_s)
        summary["day"] = day.name
        pair[policy] = summary
        print(row(summary), flush=True)
    return pair


def check_mdrp(name, pair, deliverable):
    """The MDRP targets for one day: a list of misses."""
    greedy, planner = pair["greedy"], pair["planner"]
    misses = []
    if not planner["mean_click_to_door_min"] < greedy["mean_click_to_door_min"]:
        misses.append(f"{name}: planner mean click-to-door {planner['mean_click_to_door_min']} is not below "
                      f"greedy's {greedy['mean_click_to_door_min']}")
    if not planner["share_over_target"] < greedy["share_over_target"]:
        misses.append(f"{name}: planner share over target {planner['share_over_target']} is not below "
                      f"greedy's {greedy['share_over_target']}")
    if planner["delivered"] < greedy["delivered"]:
        misses.append(f"{name}: planner delivers {planner['delivered']} < greedy's {greedy['delivered']}")
    if planner["delivered"] < deliverable:
        misses.append(f"{name}: planner delivers {planner['delivered']} of {deliverable} deliverable orders")
    if not planner["mean_over_lower_bound"] <= MAX_RATIO_TO_LOWER_BOUND:
        misses.append(f"{name}: planner mean/lower bound {planner['mean_over_lower_bound']} > "
                      f"{MAX_RATIO_TO_LOWER_BOUND}")
    if name == LARGEST:
        if not planner["p95_busiest_cycle_ms"] < MAX_BUSIEST_P95_MS:
            misses.append(f"{name}: busiest-hour p95 cycle {planner['p95_busiest_cycle_ms']} ms >= "
                          f"{MAX_BUSIEST_P95_MS} ms")
        if not planner["wall_s"] < MAX_WALL_S:
            misses.append(f"{name}: the day took {planner['wall_s']} s >= {MAX_WALL_S} s")
        if not planner["peak_rss_mb"] < MAX_RSS_MB:
            misses.append(f"{name}: peak memory {planner['peak_rss_mb']} MB >= {MAX_RSS_MB} MB")
    return misses


def check_store_days(out_root, interval_s):
    """The store target on several synthetic days (seeds): a list of misses; prints each day's share."""
    shares, misses = [], []
    for seed in STORE_SEEDS:
        day = generate_store_day(StoreDaySpec(), seed=seed, name=f"store-{StoreDaySpec().orders}o-4c-s{seed}")
        summary, _ = run_day(day, "planner", out_root / f"{day.name}-planner", interval_s)
        on_time = 1.0 - summary["share_over_target"]
        shares.append(f"{on_time:.1%}")
        if on_time < MIN_STORE_ON_TIME:
            misses.append(f"{day.name}: {on_time:.1%} of orders within 30 minutes < {MIN_STORE_ON_TIME:.0%}")
    print(f"store day ({StoreDaySpec().orders} orders, {StoreDaySpec().couriers} couriers), planner, "
          f"seeds {STORE_SEEDS[0]}-{STORE_SEEDS[-1]}: within 30 minutes {', '.join(shares)}")
    return misses


def print_ratios(results):
    """Planner / greedy per day: mean click-to-door, share over target, orders delivered."""
    print("\nplanner / greedy     mean ctd   share>target   delivered   planner mean / LB")
    for name, pair in results.items():
        g, p = pair["greedy"], pair["planner"]
        share = p["share_over_target"] / g["share_over_target"] if g["share_over_target"] else float("nan")
        print(f"{name:<20} {p['mean_click_to_door_min'] / g['mean_click_to_door_min']:>8.3f}   {share:>12.3f}"
              f"   {p['delivered']:>4}/{g['delivered']:<5}  {p['mean_over_lower_bound']:>10.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", type=Path, default=None, help="where the mdrplib instances live")
    parser.add_argument("--interval", type=float, default=60.0, help="simulated seconds between cycles")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "dispatch",
                        help="where solution files go")
    args = parser.parse_args(argv)
    data_root = args.data_root or default_data_root(ROOT)
    if not data_root.is_dir():
        print(f"dispatch bench: no mdrplib data at {data_root}")
        return 1
    print(f"dispatch: numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()}; "
          f"one cycle per {args.interval:g} simulated s; data {data_root.resolve()}")
    print(header())
    results, misses = {}, []
    for name in INSTANCES:
        day = load_instance(data_root / name)
        results[name] = run_pair(day, args.out, args.interval)
        deliverable = len(deliverable_orders(day, planner_params(day.params)))
        misses += check_mdrp(name, results[name], deliverable)
    for orders in (StoreDaySpec().orders, *STORE_EXTRA_ORDERS):
        day = generate_store_day(StoreDaySpec(orders=orders), seed=STORE_SEEDS[0], name=f"store-{orders}o-4c")
        run_pair(day, args.out, args.interval)
    misses += check_store_days(args.out, args.interval)
    print_ratios(results)
    print("\ntargets: " + ("all met" if not misses else "MISSED:\n  " + "\n  ".join(misses)))
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main())
