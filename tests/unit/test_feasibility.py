"""The MDRP feasibility check, on a hand-made instance with a hand-made feasible solution and broken copies.

The instance: 320 m/min, 4 minutes' service at pickups and drop-offs (2 either side of the moment).
c1 starts at (0, 320) and takes o1 + o2 from r1 at (0, 0); c2 starts at (3200, 320) and takes o3 from r2.
"""
from dataclasses import replace

import pytest

from dispatch.model import Point
from dispatch.sim.feasibility import InfeasibleSolution, assert_feasible, check, parse_solution, read_solution
from dispatch.sim.mdrp import CourierShift, Instance, InstanceParams, Order

INSTANCE = Instance(
    "hand-made",
    {"r1": Point(0.0, 0.0), "r2": Point(3200.0, 0.0)},
    (Order("o1", Point(640.0, 0.0), 0, "r1", 10), Order("o2", Point(0.0, 640.0), 2, "r1", 12),
     Order("o3", Point(3200.0, 640.0), 5, "r2", 20)),
    (CourierShift("c1", Point(0.0, 320.0), 0, 100), CourierShift("c2", Point(3200.0, 320.0), 0, 100)),
    InstanceParams(320, 4, 4, 40, 90, 10, 15),
)

# c1: leaves at 5, 1 min to r1 (arrives 6), picks up at 12 (ready), leaves 14; 2 min to o1 (16), drops at
# 18, leaves 20; 3 min to o2 (23), drops at 25. c2: leaves 10, at r2 11, picks up at 20, leaves 22, at o3 24,
# drops at 26.
ASSIGNMENTS = """assignment_time pickup_time courier order
5 12 c1 o1 o2
10 20 c2 o3
"""
ORDERS = """order placement_time ready_time pickup_time dropoff_time courier
o1 0 10 12 18 c1
o2 2 12 12 25 c1
o3 5 20 20 26 c2
"""
MOVES = """courier departure_time origin destination
c1 5 0 r1
c1 14 r1 o1
c1 20 o1 o2
c2 10 0 r2
c2 22 r2 o3
"""


def problems(assignments=ASSIGNMENTS, orders=ORDERS, moves=MOVES, instance=INSTANCE):
    return check(instance, parse_solution(assignments, orders, moves))


def shifted(instance, courier_id, **changes):
    couriers = tuple(replace(c, **changes) if c.id == courier_id else c for c in instance.couriers)
    return replace(instance, couriers=couriers)


def test_the_hand_made_solution_is_feasible():
    assert problems() == []
    assert_feasible(INSTANCE, parse_solution(ASSIGNMENTS, ORDERS, MOVES))


def test_no_solution_at_all_is_feasible():
    assert problems("assignment_time pickup_time courier order\n",
                    "order placement_time ready_time pickup_time dropoff_time courier\n",
                    "courier departure_time origin destination\n") == []


def test_orders_columns_are_read_by_their_header_names():
    columns = (5, 0, 4, 3, 2, 1)
    reordered = "\n".join(" ".join(line.split()[i] for i in columns) for line in ORDERS.splitlines())
    assert problems(orders=reordered) == []


def test_files_are_read_from_a_directory(tmp_path):
    for name, text in (("solution_info_assignments.txt", ASSIGNMENTS), ("solution_info_orders.txt", ORDERS),
                       ("solution_info_couriers.txt", MOVES)):
        (tmp_path / name).write_text(text)
    assert check(INSTANCE, read_solution(tmp_path)) == []


BROKEN = {
    "an order in two bundles": (dict(assignments=ASSIGNMENTS + "12 20 c2 o1\n"), "more than one bundle"),
    "two restaurants in one bundle": (dict(assignments=ASSIGNMENTS.replace("c1 o1 o2", "c1 o1 o2 o3")),
                                      "more than one restaurant"),
    "assigned before an order is placed": (dict(assignments=ASSIGNMENTS.replace("5 12 c1", "1 12 c1")),
                                           "before an order was placed"),
    "assigned after the pickup": (dict(assignments=ASSIGNMENTS.replace("10 20 c2", "21 20 c2")),
                                  "after its pickup"),
    "picked up before it is ready": (dict(assignments=ASSIGNMENTS.replace("10 20 c2", "10 19 c2"),
                                          orders=ORDERS.replace("o3 5 20 20", "o3 5 20 19")),
                                     "before it is ready"),
    "riding faster than the travel time": (dict(moves=MOVES.replace("c1 5 0 r1", "c1 11 0 r1")),
                                           "but arrives at 12.0"),
    "leaving before the pickup service ends": (dict(moves=MOVES.replace("c1 14 r1", "c1 13 r1")),
                                               "leaves r1 at 13.0, before 14.0"),
    "dropping off before the service allows": (dict(orders=ORDERS.replace("12 18 c1", "12 17 c1")),
                                               "dropoff at o1 at 17.0"),
    "an assigned order never delivered": (dict(orders=ORDERS.replace("o3 5 20 20 26 c2\n", "")),
                                          "assigned but never delivered"),
    "a delivery by another courier than the bundle's": (dict(orders=ORDERS.replace("26 c2", "26 c1")),
                                                        "differ from the instance or the bundle"),
    "two bundles carried at once": (
        dict(assignments="assignment_time pickup_time courier order\n5 12 c1 o1 o2\n10 22 c1 o3\n",
             orders=ORDERS.replace("26 c2", "40 c1").replace("o3 5 20 20", "o3 5 20 22"),
             moves="courier departure_time origin destination\nc1 5 0 r1\nc1 14 r1 r2\n"
                   "c1 24 r2 o1\nc1 30 o1 o2\nc1 40 o2 o3\n"),
        "expected r1->o1"),
    "a move that does not start where the last one ended": (
        dict(moves=MOVES.replace("c1 20 o1 o2", "c1 20 r1 o2")), "expected o1->o2"),
    "moves missing for a bundle": (dict(moves=MOVES.replace("c2 22 r2 o3\n", "")), "1 moves for 1 bundles"),
    "a delivery in no bundle": (dict(orders=ORDERS + "o4 5 20 20 26 c2\n"), "unknown or in no bundle"),
}


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_each_broken_rule_is_reported(case):
    texts, expected = case
    found = problems(**texts)
    assert any(expected in problem for problem in found), found


def test_a_pickup_after_the_shift_ends_is_reported():
    found = problems(instance=shifted(INSTANCE, "c2", off_at_min=15))
    assert any("after c2's shift ends" in problem for problem in found), found


def test_leaving_before_the_shift_starts_is_reported():
    found = problems(instance=shifted(INSTANCE, "c2", on_at_min=15))
    assert any("leaves 0 at 10.0, before 15.0" in problem for problem in found), found


def test_assert_feasible_lists_every_violation():
    broken = parse_solution(ASSIGNMENTS.replace("5 12 c1", "1 12 c1"), ORDERS.replace("12 18 c1", "12 17 c1"),
                            MOVES)
    with pytest.raises(InfeasibleSolution) as raised:
        assert_feasible(INSTANCE, broken)
    assert "2 feasibility violations" in str(raised.value)
