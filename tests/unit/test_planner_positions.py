"""The planner and couriers whose whereabouts are unknown: no position yet, or one older than two
minutes. Such a courier is placed at the store and ranks after a courier known to be there."""
from dispatch.model import Courier, Params, Point, Task
from dispatch.planner import locate, plan, position_is_known

PARAMS = Params()
STORE = Point(0.0, 0.0)
NOW = 100.0


def task(task_id, *, ready=NOW + 1.0):
    """A task at the store, ready in a minute, for a door 500 m east."""
    return Task(task_id, STORE, Point(500.0, 0.0), NOW, ready, NOW + 30.0, "store")


def courier(courier_id, position, seen_at_min, workload=0.0):
    return Courier(courier_id, position, 0.0, NOW + 300.0, workload=workload, seen_at_min=seen_at_min)


def assigned(result):
    return {t: a.courier_id for a in result.assignments + result.deferred for t in a.task_ids}


def test_a_position_older_than_two_minutes_is_stale():
    assert position_is_known(courier("a", STORE, NOW - 2.0), NOW, PARAMS)
    assert not position_is_known(courier("a", STORE, NOW - 2.01), NOW, PARAMS)
    assert not position_is_known(courier("a", None, None), NOW, PARAMS)
    # The simulator does not track when positions were seen: they are always current.
    assert position_is_known(courier("a", Point(900.0, 0.0), None), NOW, PARAMS)


def test_unknown_and_stale_couriers_are_placed_at_the_store():
    far = Point(3000.0, 4000.0)
    assert locate(courier("a", None, None), NOW, PARAMS).position == PARAMS.home
    assert locate(courier("b", far, NOW - 10.0), NOW, PARAMS).position == PARAMS.home
    assert locate(courier("c", far, NOW - 1.0), NOW, PARAMS).position == far


def test_the_courier_known_to_be_at_the_store_gets_the_task_before_unknown_ones():
    # Ids sort the unknown couriers first, so a plain tie would have gone to them.
    couriers = [courier("a-unknown", None, None), courier("b-stale", Point(0.0, 0.0), NOW - 30.0),
                courier("c-here", STORE, NOW - 0.5)]
    result = plan([task("t1")], couriers, NOW, PARAMS)
    assert assigned(result) == {"t1": "c-here"}


def test_known_couriers_take_the_first_tasks_and_unknown_ones_the_rest():
    couriers = [courier("a-unknown", None, None), courier("b-here", STORE, NOW),
                courier("c-here", STORE, NOW - 1.0)]
    result = plan([task("t1"), task("t2")], couriers, NOW, PARAMS)
    assert sorted(assigned(result).values()) == ["b-here", "c-here"]


def test_a_stale_far_position_is_not_trusted():
    # Ten minutes ago the courier was 5 km away: the planner plans from the store, as for the
    # courier known to be there, and the known one still ranks first.
    couriers = [courier("a-stale", Point(3000.0, 4000.0), NOW - 10.0), courier("b-here", STORE, NOW)]
    result = plan([task("t1")], couriers, NOW, PARAMS)
    assert assigned(result) == {"t1": "b-here"}
    route = {r.courier_id: r for r in result.routes}["a-stale"]
    assert route.stops == ()


def test_an_unknown_courier_still_gets_work_when_nobody_else_is_there():
    result = plan([task("t1")], [courier("a-unknown", None, None)], NOW, PARAMS)
    assert assigned(result) == {"t1": "a-unknown"}


def test_unknown_whereabouts_outrank_no_other_difference_than_a_tie():
    # A known courier 2 km away is slower to the store than one of unknown whereabouts placed there.
    couriers = [courier("a-unknown", None, None), courier("b-far", Point(2000.0, 0.0), NOW)]
    result = plan([task("t1", ready=NOW)], couriers, NOW, PARAMS)
    assert assigned(result) == {"t1": "a-unknown"}
