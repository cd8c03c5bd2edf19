"""The marketplace's periodic jobs, per store (registered with the scheduler by ``services.init_app``).
Each job runs one idempotent pass in its own transaction and returns the job log's summary."""
from store_app.stores.operations import list_stores


def periodic_jobs():
    """Every marketplace job of every store; needs an app context."""
    jobs = []
    for _store in list_stores():
        pass
    return jobs
