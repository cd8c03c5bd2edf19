"""The job-run log: every run of a periodic job, written by the scheduler, newest first when read."""
from ..extensions import db
from .models import JobRun


def record_run(job, runner, started_at, duration_ms, status, detail="", epoch=None):
    """Log one run of a periodic job (``epoch``: the lease epoch it ran under)."""
    db.session.add(JobRun(job=job, runner=runner, started_at=started_at, duration_ms=int(duration_ms),
                          status=status, detail=(detail or "")[:500], epoch=epoch))
    db.session.flush()


def list_runs(job=None, limit=50):
    """The newest runs first, of one job or all."""
    stmt = db.select(JobRun)
    if job:
        stmt = stmt.where(JobRun.job == job)
    return db.session.scalars(stmt.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)).all()
