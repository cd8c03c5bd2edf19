"""How a store looks on the pages: open or not right now, and when it opens next."""
from . import rules


def store_status(store, now):
    """``{open_now, next_opening, week}`` for ``store`` at ``now`` (the week's hours as texts per weekday)."""
    intervals = store.intervals()
    return {
        "open_now": rules.is_open(intervals, now, store.timezone),
        "next_opening": rules.next_opening(intervals, now, store.timezone),
        "week": rules.hours_by_weekday(intervals),
    }
