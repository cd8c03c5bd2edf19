"""The notifications' periodic job: the outbox sends what is due (SMS, email, the log).

Registered with the scheduler by ``create_app`` (``store_app.jobs.registry``).
"""
from ..jobs.registry import PeriodicJob
from .outbox import deliver

# The outbox sends within seconds of a message being queued.
OUTBOX_INTERVAL_S = 15
# A batch of sends through a slow gateway may rightly take longer than the interval; past the
# outbox's own claim on a message (outbox.LEASE, 2 minutes) the run is abandoned by the scheduler.
OUTBOX_TIME_LIMIT_S = 120


def periodic_jobs():
    """The outbox (``outbox``), every ``OUTBOX_INTERVAL_S`` seconds."""
    return [PeriodicJob("outbox", send_outbox, OUTBOX_INTERVAL_S, time_limit_s=OUTBOX_TIME_LIMIT_S)]


def send_outbox(now):
    """Send the messages due in the outbox, each in its own transaction; returns the job log's summary."""
    return deliver(now)
