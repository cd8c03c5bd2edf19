"""Bookable slots: property tests over random availability, bookings and holds (hypothesis)."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from services.slot_rules import (BusyBlock, DayException, SlotQuery, WeeklyWindow, bookable_slots, free_crews,
                                 group_by_day)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
FIRST = date(2026, 12, 7)  # a Monday
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def local(day, minute, tz=SHANGHAI):
    return (datetime.combine(day, time(), tz) + timedelta(minutes=minute)).astimezone(timezone.utc)


windows_st = st.lists(st.builds(
    lambda days, start, length, crews: WeeklyWindow(f"FREQ=WEEKLY;BYDAY={','.join(days)}", start,
                                                    min(1440, start + length), crews),
    st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True),
    st.integers(0, 46).map(lambda n: n * 30), st.integers(1, 24).map(lambda n: n * 30), st.integers(0, 3)),
    min_size=1, max_size=3)
busy_st = st.lists(st.builds(
    lambda crew, day, minute, length, held: BusyBlock(crew, local(FIRST + timedelta(days=day), minute),
                                                      local(FIRST + timedelta(days=day), minute + length),
                                                      NOW + timedelta(minutes=held) if held is not None else None),
    st.integers(1, 3), st.integers(0, 3), st.integers(0, 1400), st.integers(15, 300),
    st.none() | st.integers(-10, 10)), max_size=8)


def query(windows, busy=(), *, duration=60, before=15, after=15, notice=0, now=NOW, exceptions=(), days=4, tz=SHANGHAI):
    return SlotQuery(crew_ids=(1, 2, 3), windows=tuple(windows), duration_min=duration, tz=tz, first_day=FIRST,
                     days=days, now=now, exceptions=tuple(exceptions), busy=tuple(busy), buffer_before_min=before,
                     buffer_after_min=after, notice_min=notice)


def on_day(window, day):
    return DAYS[day.weekday()] in window.rrule.split("BYDAY=")[1].split(",")


def live(block, now=NOW):
    return block.until_at is None or block.until_at > now


def inside_some_window(q, slot):
    local_start = slot.starts_at.astimezone(q.tz)
    minute = local_start.hour * 60 + local_start.minute
    day = local_start.date()
    return any(w.start_min <= minute and minute + q.duration_min <= w.end_min and slot.crew_id <= w.crews
               and on_day(w, day) for w in q.windows)


durations = st.sampled_from([30, 60, 90, 120, 180])
buffers = st.sampled_from([0, 15, 30])


@settings(max_examples=150, deadline=None)
@given(windows_st, busy_st, durations, buffers, buffers)
def test_a_slot_never_overlaps_a_live_busy_block_of_its_crew_buffers_included(windows, busy, duration, before, after):
    q = query(windows, busy, duration=duration, before=before, after=after)
    for slot in bookable_slots(q):
        start, end = slot.starts_at - timedelta(minutes=before), slot.ends_at + timedelta(minutes=after)
        assert not any(b.crew_id == slot.crew_id and live(b) and b.start_at < end and start < b.end_at for b in busy)


@settings(max_examples=150, deadline=None)
@given(windows_st, busy_st, durations)
def test_a_slot_lies_inside_availability_with_one_of_the_rules_crews(windows, busy, duration):
    q = query(windows, busy, duration=duration)
    for slot in bookable_slots(q):
        assert slot.ends_at - slot.starts_at == timedelta(minutes=duration)
        assert inside_some_window(q, slot)


@settings(max_examples=100, deadline=None)
@given(windows_st, st.integers(0, 3000))
def test_a_slot_respects_the_notice(windows, notice):
    slots = bookable_slots(query(windows, notice=notice))
    assert all(slot.starts_at >= NOW + timedelta(minutes=notice) for slot in slots)


@settings(max_examples=100, deadline=None)
@given(windows_st, durations)
def test_with_no_bookings_every_window_start_that_fits_is_returned(windows, duration):
    slots = bookable_slots(query(windows, duration=duration))
    starts = {slot.starts_at for slot in slots}
    for offset in range(4):
        day = FIRST + timedelta(days=offset)
        for window in windows:
            if window.crews == 0 or not on_day(window, day):
                continue
            for minute in range(window.start_min, window.end_min - duration + 1, 30):
                assert local(day, minute) in starts
    assert len(starts) == len(slots)  # one slot per start, the crew of lowest id


@settings(max_examples=150, deadline=None)
@given(windows_st, busy_st, st.integers(1, 3), st.integers(0, 3), st.integers(0, 1400), st.integers(15, 300))
def test_adding_a_booking_never_adds_slots(windows, busy, crew, day, minute, length):
    before = {slot.starts_at for slot in bookable_slots(query(windows, busy))}
    when = FIRST + timedelta(days=day)
    extra = BusyBlock(crew, local(when, minute), local(when, minute + length))
    after = {slot.starts_at for slot in bookable_slots(query(windows, [*busy, extra]))}
    assert after <= before


def test_ties_go_to_the_crew_of_lowest_id_and_the_next_crew_takes_over_when_it_is_busy():
    window = WeeklyWindow("FREQ=WEEKLY;BYDAY=MO", 9 * 60, 11 * 60, 2)
    first = bookable_slots(query([window], days=1))
    assert [slot.crew_id for slot in first] == [1, 1, 1]
    busy = [BusyBlock(1, local(FIRST, 0), local(FIRST, 24 * 60))]
    assert [slot.crew_id for slot in bookable_slots(query([window], busy, days=1))] == [2, 2, 2]
    assert free_crews(query([window], days=1), local(FIRST, 9 * 60)) == [1, 2]


def test_a_lapsed_hold_frees_its_time_and_a_live_one_keeps_it():
    window = WeeklyWindow("FREQ=WEEKLY;BYDAY=MO", 9 * 60, 10 * 60, 1)
    hold = BusyBlock(1, local(FIRST, 8 * 60), local(FIRST, 11 * 60), until_at=NOW + timedelta(minutes=5))
    assert bookable_slots(query([window], [hold], days=1)) == []
    assert len(bookable_slots(query([window], [hold], days=1, now=NOW + timedelta(minutes=5)))) == 1


def test_an_exception_closes_a_day_or_changes_its_hours():
    window = WeeklyWindow("FREQ=WEEKLY;BYDAY=MO,TU", 9 * 60, 10 * 60, 1)
    closed = DayException(FIRST)
    other = DayException(FIRST + timedelta(days=1), 14 * 60, 15 * 60)
    slots = bookable_slots(query([window], exceptions=[closed, other], days=2))
    assert [slot.starts_at for slot in slots] == [local(FIRST + timedelta(days=1), 14 * 60)]


def test_local_hours_hold_across_a_daylight_saving_change():
    # Europe/Berlin leaves summer time on 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 UTC after.
    window = WeeklyWindow("FREQ=WEEKLY;BYDAY=SA,SU,MO", 9 * 60, 10 * 60, 1)
    q = SlotQuery(crew_ids=(1,), windows=(window,), duration_min=60, tz=BERLIN, first_day=date(2026, 10, 24), days=3,
                  now=datetime(2026, 10, 1, tzinfo=timezone.utc))
    starts = [slot.starts_at for slot in bookable_slots(q)]
    assert starts == [datetime(2026, 10, 24, 7, tzinfo=timezone.utc), datetime(2026, 10, 25, 8, tzinfo=timezone.utc),
                      datetime(2026, 10, 26, 8, tzinfo=timezone.utc)]


def test_an_unreadable_rule_offers_nothing_and_slots_group_by_local_day():
    assert bookable_slots(query([WeeklyWindow("FREQ=NONSENSE", 0, 600, 1)])) == []
    slots = bookable_slots(query([WeeklyWindow("FREQ=WEEKLY;BYDAY=MO,TU", 23 * 60, 24 * 60, 1)], before=0, after=0))
    grouped = group_by_day(slots, SHANGHAI)
    assert [day for day, _ in grouped] == [FIRST, FIRST + timedelta(days=1)]
