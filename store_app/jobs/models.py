"""A log of periodic job runs: who ran what, when, how long, and how it ended."""
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

    __table_args__ = (db.Index("ix_job_runs_job_started_at", "job", "started_at"),)
