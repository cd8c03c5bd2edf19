"""The in-process TTL cache behind the feed's caches: expiry, LRU bounds, sizes."""
from store_app.caching import TTLCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_value_lives_for_its_ttl_and_not_a_moment_longer():
    clock = Clock()
    cache = TTLCache(clock=clock)
    cache.set("k", "v", ttl_s=20)
    clock.now += 19.9
    assert cache.get("k") == "v"
    clock.now += 0.1
    assert cache.get("k") is None
    assert len(cache) == 0  # the expired entry is dropped, not kept around


def test_zero_ttl_keeps_nothing():
    cache = TTLCache(clock=Clock())
    cache.set("k", "v", ttl_s=0)
    assert cache.get("k", "missing") == "missing"


def test_the_least_recently_used_entry_goes_first_when_full():
    cache = TTLCache(max_entries=2, clock=Clock())
    cache.set("a", 1, 60)
    cache.set("b", 2, 60)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.set("c", 3, 60)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


def test_the_byte_budget_is_kept_and_an_oversized_value_is_not_stored():
    cache = TTLCache(max_bytes=100, clock=Clock())
    cache.set("a", "x", 60, size=60)
    cache.set("b", "y", 60, size=60)
    assert cache.get("a") is None and cache.get("b") == "y"
    assert cache.size_bytes == 60
    cache.set("huge", "z", 60, size=101)
    assert cache.get("huge") is None and cache.get("b") == "y"


def test_setting_a_key_again_replaces_it_and_its_size():
    cache = TTLCache(max_bytes=100, clock=Clock())
    cache.set("a", "old", 60, size=80)
    cache.set("a", "new", 60, size=10)
    assert cache.get("a") == "new" and cache.size_bytes == 10


def test_hits_and_misses_are_counted():
    cache = TTLCache(clock=Clock())
    cache.set("a", 1, 60)
    cache.get("a")
    cache.get("b")
    assert (cache.hits, cache.misses) == (1, 1)
