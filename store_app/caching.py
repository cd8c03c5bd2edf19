"""Small in-process caches with a time to live, one set per app (``app.extensions``).

Each web worker keeps its own: nothing here is shared between processes, so a cached value may be
up to its TTL old in another worker. Use them only for values where that is acceptable and say so
where they are used (the store's popularity, a resident's rendered feed). Bounded by entries and,
for pages, by bytes; the least recently used entry goes first. Thread-safe (gthread workers).
"""
import threading
import time
from collections import OrderedDict

from flask import current_app


class TTLCache:
    """``get``/``set`` with a per-entry time to live; LRU eviction by entry count and total size."""

    def __init__(self, max_entries=1024, max_bytes=None, clock=time.monotonic):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.clock = clock
        self._entries = OrderedDict()  # key -> (expires_at, size, value)
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key, default=None):
        """The value, if present and not expired (an expired one is dropped)."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= now:
                if entry is not None:
                    self._drop(key)
                self.misses += 1
                return default
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[2]

    def set(self, key, value, ttl_s, size=0):
        """Keep ``value`` for ``ttl_s`` seconds; ``size`` (bytes) counts against ``max_bytes``.
        A value bigger than the whole budget is not kept."""
        if ttl_s <= 0 or (self.max_bytes is not None and size > self.max_bytes):
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (self.clock() + ttl_s, size, value)
            self._bytes += size
            while len(self._entries) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes):
                self._drop(next(iter(self._entries)))

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._entries)

    @property
    def size_bytes(self):
        return self._bytes

    def _drop(self, key):
        _expires, size, _value = self._entries.pop(key)
        self._bytes -= size


def cache(name, **options):
    """The app's cache called ``name``, made on first use with ``options`` (see ``TTLCache``)."""
    caches = current_app.extensions.setdefault("store_caches", {})
    found = caches.get(name)
    if found is None:
        found = caches.setdefault(name, TTLCache(**options))
    return found
