"""Pure order rules: the status machine, who may cancel, totals, cart-line checks, scheduled slots."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store_app.orders import rules
from store_app.orders.models import OrderStatus as S
from store_app.orders.rules import CartLine, Totals, compute_totals, line_problem, next_slots
from store_app.stores.rules import is_open

SHANGHAI = "Asia/Shanghai"
UTC = timezone.utc
ALL_DAY = [(d, 0, 1440) for d in range(7)]
STEP = timedelta(minutes=30)


def shanghai(*args):
    """An aware datetime on the store's wall clock (UTC+8, no DST)."""
    return datetime(*args, tzinfo=ZoneInfo(SHANGHAI))


def local(slots, tz_name=SHANGHAI):
    """Slots as naive wall-clock datetimes of the store, for readable assertions."""
    return [s.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None) for s in slots]


# ---- totals ----------------------------------------------------------------------------------

def test_totals_example():
    assert compute_totals([(350, 2), (1200, 1)], 500, 300) == Totals(1900, 500, 300, 2100)


def test_an_empty_cart_costs_only_the_fee_and_gets_no_discount():
    assert compute_totals([], 500, 1000) == Totals(0, 500, 0, 500)


def test_the_discount_is_capped_at_the_goods_not_the_fee():
    assert compute_totals([(300, 1)], 500, 10_000) == Totals(300, 500, 300, 500)


@pytest.mark.parametrize("fee, discount", [(-1, 0), (0, -1), (-500, -500)])
def test_negative_fee_or_discount_is_refused(fee, discount):
    with pytest.raises(ValueError):
        compute_totals([(100, 1)], fee, discount)


lines_strategy = st.lists(st.tuples(st.integers(1, 1_000_000), st.integers(1, rules.MAX_QUANTITY)),
                          max_size=30)
cents = st.integers(0, 10_000_000)


@settings(max_examples=300)
@given(lines=lines_strategy, fee=cents, discount=cents)
def test_totals_invariants(lines, fee, discount):
    totals = compute_totals(lines, fee, discount)
    assert all(isinstance(v, int) for v in vars(totals).values())
    assert totals.subtotal_cents == sum(price * qty for price, qty in lines)
    assert totals.delivery_fee_cents == fee
    assert 0 <= totals.discount_cents <= totals.subtotal_cents
    assert totals.discount_cents == min(discount, totals.subtotal_cents)
    assert totals.total_cents == totals.subtotal_cents + totals.delivery_fee_cents - totals.discount_cents
    assert totals.total_cents >= totals.delivery_fee_cents >= 0  # a discount never eats the fee
    assert totals.total_cents <= totals.subtotal_cents + fee


# ---- cart lines ------------------------------------------------------------------------------

def line(**changes):
    base = dict(product_id=1, quantity=2, seen_price_cents=300, price_cents=300, stock=10, is_active=True)
    return CartLine(**(base | changes))


@pytest.mark.parametrize("changes, problem", [
    ({}, None),
    ({"stock": 2}, None),  # exactly enough
    ({"is_active": False}, rules.UNAVAILABLE),
    ({"stock": 0}, rules.SOLD_OUT),
    ({"stock": -3}, rules.SOLD_OUT),
    ({"stock": 1}, rules.NOT_ENOUGH),
    ({"price_cents": 350}, rules.PRICE_CHANGED),
    ({"price_cents": 250}, rules.PRICE_CHANGED),  # cheaper is still pointed out
    # The first problem wins: unavailable, then sold out, then not enough, then price.
    ({"is_active": False, "stock": 0, "price_cents": 350}, rules.UNAVAILABLE),
    ({"stock": 0, "price_cents": 350}, rules.SOLD_OUT),
    ({"stock": 1, "price_cents": 350}, rules.NOT_ENOUGH),
])
def test_line_problem(changes, problem):
    assert line_problem(line(**changes)) == problem


# ---- scheduled slots -------------------------------------------------------------------------

def test_slots_are_aware_utc_on_half_hours_after_the_lead_time():
    now = shanghai(2024, 1, 3, 10, 7, 42)
    slots = next_slots(ALL_DAY, now, SHANGHAI, lead_minutes=30)
    assert local(slots) == [datetime(2024, 1, 3, 11, 0), datetime(2024, 1, 3, 11, 30),
                            datetime(2024, 1, 3, 12, 0), datetime(2024, 1, 3, 12, 30)]
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in slots)
    assert slots[0] == datetime(2024, 1, 3, 3, 0, tzinfo=UTC)


def test_a_slot_is_never_the_boundary_at_the_lead_time_itself():
    # 10:30 + 30 min lands exactly on 11:00: the first slot is the next boundary.
    slots = next_slots(ALL_DAY, shanghai(2024, 1, 3, 10, 30), SHANGHAI, lead_minutes=30, count=1)
    assert local(slots) == [datetime(2024, 1, 3, 11, 30)]


def test_count_and_step():
    slots = next_slots(ALL_DAY, shanghai(2024, 1, 3, 10, 0), SHANGHAI, lead_minutes=0, count=3,
                       step_minutes=15)
    assert local(slots) == [datetime(2024, 1, 3, 10, 15), datetime(2024, 1, 3, 10, 30),
                            datetime(2024, 1, 3, 10, 45)]


def test_only_while_open_next_morning_after_closing():
    hours = [(d, 8 * 60, 22 * 60) for d in range(7)]
    slots = next_slots(hours, shanghai(2024, 1, 3, 21, 20), SHANGHAI, lead_minutes=30)
    # 21:50 is the earliest; the store closes at 22:00, so the first slot is tomorrow's opening.
    assert local(slots) == [datetime(2024, 1, 4, 8, 0), datetime(2024, 1, 4, 8, 30),
                            datetime(2024, 1, 4, 9, 0), datetime(2024, 1, 4, 9, 30)]


def test_the_last_slot_of_the_day_starts_before_closing():
    hours = [(d, 8 * 60, 22 * 60) for d in range(7)]
    slots = next_slots(hours, shanghai(2024, 1, 3, 20, 40), SHANGHAI, lead_minutes=30)
    assert local(slots)[:3] == [datetime(2024, 1, 3, 21, 30), datetime(2024, 1, 4, 8, 0),
                                datetime(2024, 1, 4, 8, 30)]


def test_overnight_hours_run_past_midnight():
    hours = [(d, 22 * 60, 2 * 60) for d in range(7)]  # 22:00-02:00 every night
    slots = next_slots(hours, shanghai(2024, 1, 3, 23, 40), SHANGHAI, lead_minutes=30, count=5)
    assert local(slots) == [datetime(2024, 1, 4, 0, 30), datetime(2024, 1, 4, 1, 0),
                            datetime(2024, 1, 4, 1, 30), datetime(2024, 1, 4, 22, 0),
                            datetime(2024, 1, 4, 22, 30)]


def test_closed_days_are_skipped():
    weekdays_only = [(d, 9 * 60, 18 * 60) for d in range(5)]
    friday_evening = shanghai(2024, 1, 5, 17, 45)
    slots = next_slots(weekdays_only, friday_evening, SHANGHAI, lead_minutes=30, count=2)
    assert local(slots) == [datetime(2024, 1, 8, 9, 0), datetime(2024, 1, 8, 9, 30)]  # Monday


def test_a_store_that_never_opens_has_no_slots():
    assert next_slots([], shanghai(2024, 1, 3, 10, 0), SHANGHAI, lead_minutes=30) == []


def test_now_in_any_zone_gives_the_same_slots():
    now = shanghai(2024, 1, 3, 10, 7)
    assert next_slots(ALL_DAY, now, SHANGHAI, 30) == next_slots(ALL_DAY, now.astimezone(UTC), SHANGHAI, 30)


def test_slots_never_repeat_across_a_dst_gap():
    """Spring forward (a DST zone; Shanghai has none): 02:00 and 02:30 do not exist that night, and must
    not come back as copies of 03:00 and 03:30."""
    berlin = "Europe/Berlin"
    now = datetime(2024, 3, 31, 0, 40, tzinfo=ZoneInfo(berlin))
    slots = next_slots(ALL_DAY, now, berlin, lead_minutes=30, count=4)
    assert slots == sorted(set(slots))
    assert local(slots, berlin) == [datetime(2024, 3, 31, 1, 30), datetime(2024, 3, 31, 3, 0),
                                    datetime(2024, 3, 31, 3, 30), datetime(2024, 3, 31, 4, 0)]


def test_slots_stay_on_the_wall_clock_grid_across_a_dst_fold():
    """Fall back: the wall clock shows 02:00-03:00 twice; every slot is on :00 or :30 and in order."""
    berlin = "Europe/Berlin"
    now = datetime(2024, 10, 27, 1, 10, tzinfo=ZoneInfo(berlin))
    slots = next_slots(ALL_DAY, now, berlin, lead_minutes=30, count=6)
    assert slots == sorted(set(slots))
    assert all(s.astimezone(ZoneInfo(berlin)).minute in (0, 30) for s in slots)


def oracle_slots(intervals, now, lead_minutes, count):
    """The same answer reached differently: walk UTC half-hours (Shanghai is UTC+8, so they are the
    store's :00 and :30) from the first one strictly after ``now + lead``, over the same 7 days."""
    earliest = (now + timedelta(minutes=lead_minutes)).astimezone(UTC)
    floor = earliest.replace(minute=earliest.minute // 30 * 30, second=0, microsecond=0)
    probe, found = floor + STEP, []
    for _ in range(7 * 48):
        if is_open(intervals, probe, SHANGHAI):
            found.append(probe)
            if len(found) == count:
                break
        probe += STEP
    return found


interval = st.tuples(st.integers(0, 6), st.integers(0, 1439), st.integers(1, 1440)) \
    .filter(lambda i: i[1] != i[2])
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31),
                       timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(intervals=st.lists(interval, max_size=6), now=moments, lead=st.integers(0, 180),
       count=st.integers(1, 6))
def test_slots_properties(intervals, now, lead, count):
    slots = next_slots(intervals, now, SHANGHAI, lead_minutes=lead, count=count)
    assert len(slots) <= count
    assert slots == sorted(set(slots))
    for slot in slots:
        assert slot.tzinfo is not None and slot.utcoffset() == timedelta(0)
        wall = slot.astimezone(ZoneInfo(SHANGHAI))
        assert wall.minute in (0, 30) and wall.second == 0 and wall.microsecond == 0
        assert slot > now + timedelta(minutes=lead)
        assert is_open(intervals, slot, SHANGHAI)
    # Nothing open in between was skipped, and nothing was invented.
    assert slots == oracle_slots(intervals, now, lead, count)


@given(now=moments, lead=st.integers(0, 180))
def test_an_always_open_store_offers_the_very_next_half_hours(now, lead):
    slots = next_slots(ALL_DAY, now, SHANGHAI, lead_minutes=lead)
    earliest = now + timedelta(minutes=lead)
    assert timedelta(0) < slots[0] - earliest <= STEP
    assert [b - a for a, b in zip(slots, slots[1:])] == [STEP] * 3
