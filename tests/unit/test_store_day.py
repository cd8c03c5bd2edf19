"""The synthetic store day (pure): deterministic, shaped as specified, and round-trips the MDRP format."""
import math

from dispatch.sim.mdrp import load_instance, tasks_of, write_instance
from dispatch.sim.store_day import StoreDaySpec, generate_store_day, hourly_weights_from_history


def test_the_same_seed_gives_the_same_day_and_another_seed_another():
    assert generate_store_day(seed=3) == generate_store_day(seed=3)
    assert generate_store_day(seed=3).orders != generate_store_day(seed=4).orders


def test_the_day_matches_its_spec():
    spec = StoreDaySpec(orders=150, couriers=5)
    day = generate_store_day(spec, seed=1)
    assert len(day.orders) == 150 and len(day.couriers) == 5
    assert list(day.restaurants) == ["r1"]
    for order in day.orders:
        assert math.hypot(order.dropoff.x_m, order.dropoff.y_m) <= spec.radius_m + 1
        assert 3 <= order.ready_at_min - order.placed_at_min <= 5
        assert spec.open_at_min <= order.placed_at_min < spec.close_at_min
    shift = (spec.open_at_min, spec.close_at_min + 30)
    assert all((c.on_at_min, c.off_at_min) == shift for c in day.couriers)
    assert day.params.target_min == 30 and day.params.meters_per_minute == round(250 / 1.35)


def test_demand_follows_the_curve():
    spec = StoreDaySpec(orders=2000, hourly_weights=(1, 0, 3))
    day = generate_store_day(spec, seed=2)
    weights = hourly_weights_from_history([o.placed_at_min for o in day.orders], spec.open_at_min,
                                          spec.close_at_min)
    assert weights[1] == 0 and 2.5 < weights[2] / weights[0] < 3.5


def test_hourly_weights_count_past_orders_per_opening_hour():
    placed = [7 * 60 + 5, 7 * 60 + 50, 8 * 60, 1440 + 8 * 60 + 1, 6 * 60]  # a second day, one before opening
    assert hourly_weights_from_history(placed, 7 * 60, 10 * 60) == (2.0, 2.0, 0.0)


def test_an_instance_round_trips_through_the_mdrp_files(tmp_path):
    day = generate_store_day(StoreDaySpec(orders=20), seed=5, name="tiny")
    write_instance(day, tmp_path / "tiny")
    again = load_instance(tmp_path / "tiny")
    assert (again.orders, again.couriers, again.restaurants, again.params) == \
        (day.orders, day.couriers, day.restaurants, day.params)
    assert [t.promised_at_min - t.placed_at_min for t in tasks_of(again)] == [30.0] * 20
