"""The counter's work list: what is waiting for someone, contributed by the domain that owns it.

Like the periodic jobs (``store_app.jobs.registry``), this module knows no domain. Each domain
declares a *provider* in its own ``worklist.py``, a function ``provider(store, now)`` returning an
iterable of ``WorkItem``, and ``create_app`` registers it: ``register(app, order_work.work_items)``.
The console home (and the owner's home, for the items marked ``owner``) asks every provider, so a
new line of business (pickup at the store, breakfast) adds its lines without touching the boards.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

EXTENSION_KEY = "work_item_providers"  # app.extensions[...]: the providers registered on this app

# Item levels: who has to act. "counter" items are for whoever stands at the counter (staff and the
# owner); "owner" items are the owner's to decide (stock-outs, guessing alerts, late deliveries).
COUNTER = "counter"
OWNER = "owner"


@dataclass(frozen=True)
class WorkItem:
    key: str                     # unique across providers, e.g. "orders:to_accept"; the page's element id
    label: object                # what is waiting, translated (a lazy string)
    count: int                   # how many are waiting; 0 shows as "nothing to do"
    url: str                     # where the work is done
    action: object               # the link's text, translated ("Accept orders")
    oldest_at: datetime | None = None  # when the oldest one started waiting (aware UTC)
    urgent: bool = False         # needs doing now (shown first, with a word, not only a colour)
    level: str = COUNTER
    order: int = 100             # position on the list among items of equal urgency


def register(app, provider):
    """Add ``provider`` (``(store, now)`` -> iterable of ``WorkItem``) to the app's work list."""
    app.extensions.setdefault(EXTENSION_KEY, []).append(provider)


def list_work_items(store, now, *, level=None):
    """Every registered provider's items for ``store`` at ``now``: urgent ones with work first, then
    the others with work, then the empty ones; ties by ``order`` and key. ``level`` keeps one level."""
    items = [item for provider in current_app.extensions.get(EXTENSION_KEY, ())
             for item in provider(store, now)]
    if level is not None:
        items = [item for item in items if item.level == level]
    return sorted(items, key=lambda i: (not (i.urgent and i.count), not i.count, i.order, i.key))


def age_minutes(oldest_at, now):
    """Whole minutes the oldest item has waited (never negative), or None without one."""
    if oldest_at is None:
        return None
    return max(0, int((now - oldest_at).total_seconds() // 60))
