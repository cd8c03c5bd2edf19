"""The demo parcel station: six shelves, 60 parcels for residents and a few numbers without an
account, of various ages (some past the free days, some on the return list), one with its code locked; seeding twice
adds nothing."""
from store_app.database import transaction, utcnow
from store_app.demo.operations import seed_demo
from store_app.extensions import db
from store_app.parcels import shelves, terms
from store_app.parcels.models import Parcel


def test_the_demo_station_has_shelves_and_parcels_of_all_ages(app_ctx):
    with transaction():
        store, created = seed_demo()
    assert (created["shelves"], created["parcels"]) == (6, 60)
    with transaction():
        rows = db.session.scalars(db.select(Parcel).where(Parcel.store_id == store.id)).all()
        now = utcnow()
        assert len(rows) == 60
        assert len({p.shelf_code for p in rows}) == 60 and len({p.code_hash for p in rows}) == 60
        assert any(p.recipient_id is None for p in rows) and sum(p.recipient_id is not None for p in rows) > 40
        statuses = {p.status for p in rows}
        assert statuses == {"waiting", "return"}
        assert any(terms.fee_due(store, p, now) > 0 for p in rows if p.status == "waiting")
        assert any(p.reminded_1_at for p in rows)
        locked = [p for p in rows if p.code_misses >= 5]
        assert len(locked) == 1 and locked[0].status == "waiting" and locked[0].recipient.phone == "+8613900139000"
        gauge = shelves.capacity_gauge(store.id)
        assert 0 < gauge.used < gauge.capacity and gauge.parcels == 60
    with transaction():
        _, again = seed_demo()
    assert (again["shelves"], again["parcels"]) == (0, 0)
