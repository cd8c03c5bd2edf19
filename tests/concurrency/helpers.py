"""Helpers of the PostgreSQL race tests."""
import threading
from concurrent.futures import ThreadPoolExecutor


def run_together(count, work):
    """Run ``work(i, barrier)`` in ``count`` threads released together; exceptions come back as results."""
    barrier = threading.Barrier(count, timeout=30)

    def guarded(i):
        try:
            return work(i, barrier)
        except Exception as exc:  # noqa: BLE001 -- the test looks at every thread's outcome
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(guarded, range(count)))
