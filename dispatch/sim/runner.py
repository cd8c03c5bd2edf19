"""One simulated day end to end: simulate, write the solution files and summary, check feasibility."""
from pathlib import Path

from ..baselines import greedy
from ..model import Params
from ..planner import plan
from .engine import SimResult, simulate
from .feasibility import assert_feasible, read_solution
from .mdrp import Instance, planner_params
from .solution import summarize, write_solution, write_summary

POLICIES = {"planner": plan, "greedy": greedy}


def run_day(instance: Instance, policy: str, out_dir: str | Path, interval_s: float = 60.0,
            params: Params | None = None) -> tuple[dict, SimResult]:
    """Replay ``instance`` with the named policy every ``interval_s`` simulated seconds, write the three
    solution files and ``summary.json`` into ``out_dir``, and check the files' feasibility (raises
    ``InfeasibleSolution`` on any violation). Returns the summary and the raw result."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}: choose from {', '.join(sorted(POLICIES))}")
    params = params or planner_params(instance.params)
    result = simulate(instance, POLICIES[policy], params, interval_s)
    write_solution(result, out_dir)
    assert_feasible(instance, read_solution(out_dir))
    summary = summarize(instance, result, params, policy)
    summary["interval_s"] = interval_s
    write_summary(summary, out_dir)
    return summary, result
