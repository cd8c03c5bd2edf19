"""Staffing: the fewest couriers per hour that keep the promise, found by replaying the store's orders.

The owner asks "how many couriers do I need on Saturday morning to keep 98% of orders within 30
minutes?". The answer replays the busiest of the past days in that window (most orders; the latest on
a tie) through the production planner (``dispatch.sim.replay``): staffing that only covers an average
day breaks the promise on the busy ones, and those are the days an owner staffs for.

Pure and deterministic: no clock, no randomness; the same orders give the same answer.
"""
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Task
from .replay import PastOrder, Replay, StoreProfile, busiest_day, in_order, orders_per_day, replay_day

MAX_COURIERS = 20   # the most couriers the search tries in one hour
WARM_UP_HOURS = 1   # a trial replays the hour before the one it chooses, not the whole day before
SETTLE_ROUNDS_PER_HOUR = 3
MAX_WAITING = 50    # replaying the owner's counts stops once this many orders wait at once
BUSY_GUESS = 1.2    # generous couriers ride alone; short ones bundle, so they do ~1.2x the work


@dataclass(frozen=True)
class Recommendation:
    """The fewest couriers per hour that keep ``target_share`` within the promise on the replayed day.

    ``short_hours`` are hours that still miss the target: even ``max_couriers`` cannot serve them (an
    order that cannot be picked and ridden within the promise, say), so they get the generous count.
    ``replays`` counts the simulated days (or parts of days) it took.
    """

    target_share: float
    couriers: tuple[int, ...]
    replay: Replay
    short_hours: tuple[int, ...]
    replays: int


def recommend(orders: Sequence[PastOrder], profile: StoreProfile, from_hour: int, to_hour: int,
              target_share: float = 0.98, max_couriers: int = MAX_COURIERS) -> Recommendation:
    """The fewest couriers per hour of ``[from_hour, to_hour)`` that keep ``target_share`` of each
    hour's orders within the promise when ``orders`` (one day) are replayed.

    1. The whole day with a generous count in every hour (one more courier than the busiest hour has
       orders, at most ``max_couriers``; ``max_couriers`` if that is not enough). An hour that misses the
       target even so keeps the generous count and is reported in ``short_hours``.
    2. Hour by hour from the first, the smallest count that keeps the target in that hour, replaying its
       orders after the hour before (at the count chosen for it, so couriers start the hour as busy as
       they would be), later hours generous. The search starts from the couriers the generous day kept
       busy, then steps down while the target holds, or up until it does. An hour is never left without
       a courier.
    3. The whole day with the chosen counts; an hour that still misses (its last orders wait for the
       next hour's couriers, say) gets one courier more, until every hour that can meets the target.
    """
    if not 0 < target_share <= 1:
        raise ValueError("the target share lies in (0, 1]")
    if not 0 <= from_hour < to_hour <= 24:
        raise ValueError("the window is 0 <= from_hour < to_hour <= 24")
    if max_couriers < 1:
        raise ValueError("max_couriers is at least 1")
    search = _Search(in_order(orders), profile, from_hour, to_hour - from_hour, target_share)
    best = search.generous_day(max_couriers)
    reachable = [i for i, h in enumerate(best.hours) if h.meets(target_share)]
    chosen = [search.generous] * search.hours
    for i in reachable:
        busy = (best.hours[i].utilisation or 0.0) * search.generous
        chosen[i] = search.fewest(chosen, i, math.ceil(busy / BUSY_GUESS))
    final = search.settle(chosen, reachable)
    short = tuple(h.hour for h in final.hours if not h.meets(target_share))
    return Recommendation(target_share, tuple(chosen), final, short, search.replays)


class _Search:
    """The bookkeeping of ``recommend``: one day's orders, the target, and the replays run so far."""

    def __init__(self, day: Sequence[PastOrder], profile: StoreProfile, from_hour: int, hours: int,
                 target_share: float):
        self.day, self.profile, self.from_hour, self.hours = day, profile, from_hour, hours
        self.target_share, self.replays, self.generous = target_share, 0, 1
        self.per_hour = Counter(int(o.placed_at_min // 60) - from_hour for o in day)

    def replay(self, couriers: Sequence[int]) -> Replay:
        """The whole day with ``couriers`` per hour."""
        self.replays += 1
        return replay_day(self.day, self.profile, self.from_hour, couriers)

    def generous_day(self, max_couriers: int) -> Replay:
        """Step 1 of ``recommend``: the day with a generous count everywhere."""
        self.generous = min(max_couriers, max(self.per_hour.values(), default=0) + 1)
        best = self.replay((self.generous,) * self.hours)
        if self.generous < max_couriers and not all(h.meets(self.target_share) for h in best.hours):
            self.generous = max_couriers
            best = self.replay((self.generous,) * self.hours)
        return best

    def fewest(self, chosen: list[int], i: int, guess: int) -> int:
        """Step 2 of ``recommend`` for hour ``i``, starting from ``guess`` couriers."""
        if not self.per_hour[i]:
            return 1
        count = min(self.generous, max(1, guess))
        if self.meets(chosen, i, count):
            while count > 1 and self.meets(chosen, i, count - 1):
                count -= 1
            return count
        count += 1
        while count < self.generous and not self.meets(chosen, i, count):
            count += 1
        return count

    def meets(self, chosen: list[int], i: int, count: int) -> bool:
        """Whether hour ``i`` keeps the target with ``count`` couriers, replayed after the hour before;
        the trial stops once the hour has missed more orders than the target allows."""
        self.replays += 1
        first = self.from_hour + i - WARM_UP_HOURS
        part = [o for o in self.day if first * 60 <= o.placed_at_min < (self.from_hour + i + 1) * 60]
        allowed = {i: self.per_hour[i] - math.ceil(self.target_share * self.per_hour[i] - 1e-9)}
        # The next hour generous carries the hour's last orders; later hours have no orders here.
        couriers = (chosen[:i] + [count] + chosen[i + 1:i + 2] + [0] * self.hours)[:self.hours]
        trial = replay_day(part, self.profile, self.from_hour, couriers, stop=_hopeless(self.from_hour, allowed))
        return trial.hours[i].meets(self.target_share)

    def settle(self, chosen: list[int], reachable: Sequence[int]) -> Replay:
        """Step 3 of ``recommend``: the whole day with ``chosen`` (updated in place), one courier more
        for the first hour that misses, until none does (at most a few rounds per hour)."""
        for _round in range(SETTLE_ROUNDS_PER_HOUR * self.hours):
            final = self.replay(chosen)
            missed = [i for i in reachable
                      if not final.hours[i].meets(self.target_share) and chosen[i] < self.generous]
            if not missed:
                break
            chosen[missed[0]] += 1
        else:
            final = self.replay(chosen)
        return final


def _hopeless(from_hour: int, allowed: dict[int, int]):
    """A stop rule for ``replay_day``: true once an order of a checked hour (index from ``from_hour``)
    still waits for a courier after its promise, and that hour has more such orders than ``allowed``."""
    late: dict[int, set[str]] = {}

    def stop(tasks: Sequence[Task], now: float) -> bool:
        for task in tasks:
            hour = int(task.placed_at_min // 60) - from_hour
            if hour in allowed and now > task.promised_at_min:
                missed = late.setdefault(hour, set())
                missed.add(task.id)
                if len(missed) > allowed[hour]:
                    return True
        return False
    return stop


@dataclass(frozen=True)
class StaffingAnswer:
    """What the staffing page shows: the day replayed (the busiest), how many orders each past day had,
    the recommendation, and the owner's own counts replayed on the same day (when given)."""

    day: str | None
    orders_per_day: dict[str, int]
    recommendation: Recommendation | None
    yours: Replay | None = None


def answer(history: Sequence[PastOrder], profile: StoreProfile, from_hour: int, to_hour: int,
           target_share: float = 0.98, couriers: Sequence[int] | None = None,
           max_couriers: int = MAX_COURIERS) -> StaffingAnswer:
    """Replay the busiest day of ``history`` (past orders in ``[from_hour, to_hour)``): the recommended
    couriers per hour for ``target_share`` and, when ``couriers`` is given (one count for every hour, or
    one per hour), those counts replayed too (stopped past ``MAX_WAITING`` waiting orders)."""
    hours = to_hour - from_hour
    if couriers is not None and len(couriers) not in (1, hours):
        raise ValueError(f"give one courier count or {hours}")
    inside = [o for o in history if from_hour * 60 <= o.placed_at_min < to_hour * 60]
    day, orders = busiest_day(inside)
    if day is None:
        return StaffingAnswer(None, {}, None)
    recommendation = recommend(orders, profile, from_hour, to_hour, target_share, max_couriers)
    yours = None
    if couriers is not None:
        counts = tuple(couriers) * hours if len(couriers) == 1 else tuple(couriers)
        yours = replay_day(orders, profile, from_hour, counts, max_waiting=MAX_WAITING)
    return StaffingAnswer(day, orders_per_day(inside), recommendation, yours)
