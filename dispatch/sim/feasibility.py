"""Check a solution against the MDRP evaluator's feasibility rules (see the mdrplib README).

Written apart from the engine on purpose: it reads the three solution files and the instance, and
recomputes travel as ``ceil(euclidean metres / meters_per_minute)`` itself. ``check`` returns every
violation found (an empty list means feasible); ``assert_feasible`` raises with all of them.
"""
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .mdrp import Instance

ON_LOCATION = "0"
EPS = 1e-6  # minutes: times are decimals in text; tolerate their rounding, nothing more


class InfeasibleSolution(AssertionError):
    """A solution breaks the evaluator's rules; the message lists every violation."""


@dataclass(frozen=True, slots=True)
class SolutionBundle:
    """A row of ``solution_info_assignments.txt``."""

    assigned_at_min: float
    pickup_at_min: float
    courier_id: str
    order_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SolutionOrder:
    """A row of ``solution_info_orders.txt``."""

    order_id: str
    placed_at_min: float
    ready_at_min: float
    pickup_at_min: float
    dropoff_at_min: float
    courier_id: str


@dataclass(frozen=True, slots=True)
class SolutionMove:
    """A row of ``solution_info_couriers.txt``."""

    courier_id: str
    depart_at_min: float
    origin: str
    destination: str


@dataclass(frozen=True)
class Solution:
    """The three files, parsed, rows in file order."""

    bundles: tuple[SolutionBundle, ...]
    orders: tuple[SolutionOrder, ...]
    moves: tuple[SolutionMove, ...]


def _table(text: str) -> list[list[str]]:
    lines = [line.split() for line in text.splitlines() if line.strip()]
    return lines[1:]  # the header


def parse_solution(assignments_text: str, orders_text: str, couriers_text: str) -> Solution:
    """Parse the three files' texts (whitespace-separated, header first; orders by header names)."""
    bundles = tuple(SolutionBundle(float(r[0]), float(r[1]), r[2], tuple(r[3:]))
                    for r in _table(assignments_text))
    order_lines = [line.split() for line in orders_text.splitlines() if line.strip()]
    header = order_lines[0] if order_lines else []
    col = {name: header.index(name) for name in header}
    orders = tuple(SolutionOrder(r[col["order"]], float(r[col["placement_time"]]),
                                 float(r[col["ready_time"]]), float(r[col["pickup_time"]]),
                                 float(r[col["dropoff_time"]]), r[col["courier"]])
                   for r in order_lines[1:])
    moves = tuple(SolutionMove(r[0], float(r[1]), r[2], r[3]) for r in _table(couriers_text))
    return Solution(bundles, orders, moves)


def read_solution(directory: str | Path) -> Solution:
    """Read and parse the three solution files in ``directory``."""
    directory = Path(directory)
    texts = [(directory / name).read_text(encoding="utf-8") for name in
             ("solution_info_assignments.txt", "solution_info_orders.txt", "solution_info_couriers.txt")]
    return parse_solution(*texts)


def assert_feasible(instance: Instance, solution: Solution) -> None:
    """Raise ``InfeasibleSolution`` listing every violation, if there is any."""
    problems = check(instance, solution)
    if problems:
        shown = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise InfeasibleSolution(f"{instance.name}: {len(problems)} feasibility violations:\n  {shown}{more}")


def check(instance: Instance, solution: Solution) -> list[str]:
    """Every violation of the feasibility rules by ``solution`` on ``instance``; empty when feasible."""
    problems = _check_bundles(instance, solution.bundles)
    problems += _check_orders(instance, solution)
    problems += _check_moves(instance, solution)
    return problems


def _check_bundles(instance: Instance, bundles) -> list[str]:
    """Each order in at most one bundle, one restaurant per bundle, assignment and pickup times."""
    orders = {o.id: o for o in instance.orders}
    shifts = {c.id: c for c in instance.couriers}
    problems, seen = [], set()
    for b in bundles:
        name = f"bundle {' '.join(b.order_ids)}"
        unknown = [o for o in b.order_ids if o not in orders]
        if unknown or not b.order_ids or b.courier_id not in shifts:
            problems.append(f"{name}: unknown orders {unknown} or courier {b.courier_id}, or empty")
            continue
        problems += [f"{name}: order {o} is in more than one bundle" for o in b.order_ids if o in seen]
        seen.update(b.order_ids)
        members = [orders[o] for o in b.order_ids]
        if len({o.restaurant for o in members}) != 1:
            problems.append(f"{name}: orders of more than one restaurant")
        if b.assigned_at_min + EPS < max(o.placed_at_min for o in members):
            problems.append(f"{name}: assigned at {b.assigned_at_min} before an order was placed")
        if b.assigned_at_min > b.pickup_at_min + EPS:
            problems.append(f"{name}: assigned at {b.assigned_at_min} after its pickup at {b.pickup_at_min}")
        if b.pickup_at_min + EPS < max(o.ready_at_min for o in members):
            problems.append(f"{name}: picked up at {b.pickup_at_min} before it is ready")
        if b.pickup_at_min > shifts[b.courier_id].off_at_min + EPS:
            problems.append(f"{name}: picked up at {b.pickup_at_min} after {b.courier_id}'s shift ends")
    return problems


def _check_orders(instance: Instance, solution: Solution) -> list[str]:
    """Delivered rows agree with the instance and their bundle; every assigned order is delivered."""
    orders = {o.id: o for o in instance.orders}
    bundle_of = {o: b for b in solution.bundles for o in b.order_ids}
    problems, delivered = [], set()
    for row in solution.orders:
        order, bundle = orders.get(row.order_id), bundle_of.get(row.order_id)
        if order is None or bundle is None:
            problems.append(f"order {row.order_id}: delivered but unknown or in no bundle")
            continue
        if row.order_id in delivered:
            problems.append(f"order {row.order_id}: delivered twice")
        delivered.add(row.order_id)
        if (abs(row.placed_at_min - order.placed_at_min) > EPS
                or abs(row.ready_at_min - order.ready_at_min) > EPS
                or abs(row.pickup_at_min - bundle.pickup_at_min) > EPS
                or row.courier_id != bundle.courier_id):
            problems.append(f"order {row.order_id}: placement, ready, pickup or courier differ from the "
                            f"instance or the bundle")
        if row.dropoff_at_min + EPS < row.pickup_at_min:
            problems.append(f"order {row.order_id}: dropped off before it was picked up")
    problems += [f"order {o}: assigned but never delivered" for o in bundle_of if o not in delivered]
    return problems


def _check_moves(instance: Instance, solution: Solution) -> list[str]:
    """Per courier: moves chain from the on-location, follow its bundles one at a time in pickup order,
    and respect travel and service times at every pickup and drop-off."""
    moves_of, bundles_of = defaultdict(list), defaultdict(list)
    for move in solution.moves:
        moves_of[move.courier_id].append(move)
    for bundle in solution.bundles:
        bundles_of[bundle.courier_id].append(bundle)
    shifts = {c.id: c for c in instance.couriers}
    nodes = _Nodes(instance, {row.order_id: row.dropoff_at_min for row in solution.orders})
    problems = [f"courier {c}: moves of an unknown courier" for c in moves_of if c not in shifts]
    for courier_id in sorted(set(moves_of) | set(bundles_of)):
        if courier_id in shifts:
            bundles = sorted(bundles_of[courier_id], key=lambda b: b.pickup_at_min)
            problems += _check_courier(nodes, shifts[courier_id], moves_of[courier_id], bundles)
    return problems


class _Nodes:
    """Node names to points and restaurants; delivered orders' drop-off times."""

    def __init__(self, instance: Instance, dropoff_at: dict[str, float]):
        self.instance = instance
        self.orders = {o.id: o for o in instance.orders}
        self.dropoff_at = dropoff_at

    def restaurant(self, bundle) -> str:
        """The restaurant a bundle is picked up at (its first order's)."""
        return self.orders[bundle.order_ids[0]].restaurant

    def point(self, shift, node: str):
        """Where a node is: ``0`` the courier's on-location, ``r…`` a restaurant, ``o…`` a customer."""
        if node == ON_LOCATION:
            return shift.position
        if node in self.instance.restaurants:
            return self.instance.restaurants[node]
        return self.orders[node].dropoff

    def travel(self, shift, origin: str, destination: str) -> float:
        """``ceil(euclidean metres / meters_per_minute)``, the evaluator's travel minutes."""
        a, b = self.point(shift, origin), self.point(shift, destination)
        dx, dy = a.x_m - b.x_m, a.y_m - b.y_m
        return float(math.ceil(math.sqrt(dx * dx + dy * dy) / self.instance.params.meters_per_minute))


def _check_courier(nodes: _Nodes, shift, moves, bundles) -> list[str]:
    """One courier's moves against its bundles (see ``_check_moves``)."""
    visits = []  # (node, bundle, kind) in the only order the rules allow
    for bundle in bundles:
        visits.append((nodes.restaurant(bundle), bundle, "pickup"))
        visits += [(order_id, bundle, "dropoff") for order_id in bundle.order_ids]
    name = f"courier {shift.id}"
    if len(moves) != len(visits):
        return [f"{name}: {len(moves)} moves for {len(bundles)} bundles needing {len(visits)}"]
    params = nodes.instance.params
    problems, here, ready_to_leave = [], ON_LOCATION, float(shift.on_at_min)
    for move, (node, bundle, kind) in zip(moves, visits):
        if move.origin != here or move.destination != node:
            problems.append(f"{name}: move {move.origin}->{move.destination} at {move.depart_at_min}, "
                            f"expected {here}->{node}")
            break
        if move.depart_at_min + EPS < ready_to_leave:
            problems.append(f"{name}: leaves {here} at {move.depart_at_min}, before {ready_to_leave}")
        arrive = move.depart_at_min + nodes.travel(shift, here, node)
        if kind == "pickup":
            service, half = bundle.pickup_at_min, params.pickup_service_min / 2
        else:
            service, half = nodes.dropoff_at.get(node, math.nan), params.dropoff_service_min / 2
        if not service + EPS >= arrive + half:
            problems.append(f"{name}: {kind} at {node} at {service}, "
                            f"but arrives at {arrive} (+{half} service)")
        here, ready_to_leave = node, service + half
    return problems
