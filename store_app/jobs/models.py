"""The job-run log (who ran what, when, how long, how it ended) and the scheduler's leader lease."""
from ..database import UTCDateTime
from ..extensions import db


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id = db.Column(db.Integer, primary_key=True)
    job = db.Column(db.String(60), nullable=False)
    runner = db.Column(db.String(80), nullable=False)  # host:pid of the scheduler that ran it
    started_at = db.Column(UTCDateTime, nullable=False)
    duration_ms = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(10), nullable=False)  # ok, failed, overrun
    detail = db.Column(db.String(500), nullable=False, default="")
    # The lease epoch the run was made under (its fencing token); empty for runs from before the lease.
    epoch = db.Column(db.BigInteger, nullable=True)

    __table_args__ = (db.Index("ix_job_runs_job_started_at", "job", "started_at"),)


class SchedulerLease(db.Model):
    """One row per lease (the scheduler's is ``"scheduler"``): the process named ``holder`` leads
    until ``expires_at`` (the database's clock), unless it renews first. Taking it over from
    someone else adds one to ``epoch``, the fencing token every job's write checks."""

    __tablename__ = "scheduler_leases"

    name = db.Column(db.String(40), primary_key=True)
    holder = db.Column(db.String(120), nullable=False)  # host:pid:token of the leading process
    epoch = db.Column(db.BigInteger, nullable=False)
    acquired_at = db.Column(UTCDateTime, nullable=False)
    expires_at = db.Column(UTCDateTime, nullable=False)
