"""The board's daily rollup: one row per store, local calendar day, line and metric.

Long, not wide: ``(store_id, day, line, metric) -> value`` (an integer: a count, cents, a sum of
seconds or minutes, or a histogram bucket's count). Every metric is additive over days, so any
range is one ``SUM ... GROUP BY line, metric`` and never needs the raw orders; percentiles come from
the bucket counts (``kpi_rules.percentile_from_buckets``), averages from a sum and a count. The
few that are not additive are stored as of each day and read on one day: ``wau`` and ``mau`` (the
distinct residents active in the 7 / 30 days ending that day). Zero values are not stored.

Lines are the growth lines (delivery, pickup, parcel_door, breakfast, services) and the board's
own sections: ``parcels``, ``residents`` and ``growth``. The metric names are listed in
``reports.rollup``, where they are computed.
"""
from ..database import UTCDateTime
from ..extensions import db


class DailyRollup(db.Model):
    """One metric of one line on one local day of a store (``reports.rollup`` writes it)."""

    __tablename__ = "daily_rollups"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)           # the store's local calendar day
    line = db.Column(db.String(12), nullable=False)
    metric = db.Column(db.String(24), nullable=False)
    value = db.Column(db.BigInteger, nullable=False)
    computed_at = db.Column(UTCDateTime, nullable=False)

    __table_args__ = (
        db.UniqueConstraint("store_id", "day", "line", "metric"),
    )
