"""What the station's reports read from the database: the parcels that moved in a period, and when
the parcels still waiting were checked in. The figures themselves are computed by ``reports.py``."""
from ..extensions import db
from .models import Parcel, ParcelStatus
from .reports import ParcelRow


def load_report_rows(store_id, start_at, end_at):
    """``reports.ParcelRow`` for every parcel of the store checked in, collected or returned in
    ``[start_at, end_at)`` (aware UTC), in id order."""
    def within(column):
        return db.and_(column >= start_at, column < end_at)
    rows = db.session.execute(
        db.select(Parcel.checked_in_at, Parcel.collected_at, Parcel.collected_as, Parcel.returned_at)
        .where(Parcel.store_id == store_id,
               db.or_(within(Parcel.checked_in_at), within(Parcel.collected_at), within(Parcel.returned_at)))
        .order_by(Parcel.id)).all()
    return [ParcelRow(*row) for row in rows]


def list_waiting_since(store_id):
    """When each parcel waiting on the shelf for its resident was checked in."""
    return db.session.scalars(db.select(Parcel.checked_in_at).where(
        Parcel.store_id == store_id, Parcel.status == ParcelStatus.WAITING.value)).all()
