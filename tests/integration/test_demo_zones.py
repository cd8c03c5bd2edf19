"""The demo's delivery set-up: zones, two buildings beyond them, couriers on shift; idempotent."""
from datetime import timedelta
from pathlib import Path

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.deliveries import operations as delivery_ops
from store_app.deliveries.models import CourierShift
from store_app.demo import data
from store_app.demo.operations import seed_demo
from store_app.demo.zones import FAR_BUILDINGS, ZONES, seed_courier_shifts
from store_app.extensions import db
from store_app.geo import operations as geo_ops
from store_app.geo.models import Building, DeliveryZone
from store_app.geo.rules import haversine_m
from store_app.roles import Role


def seed():
    with transaction():
        return seed_demo()


def test_the_demo_has_an_inner_and_an_outer_zone(app_ctx):
    store, created = seed()
    assert created["zones"] == 2 and created["far_buildings"] == 2 and created["shifts"] == len(data.COURIERS)
    zones = {(z.name_zh, z.name_en): z for z in geo_ops.list_zones(store.id)}
    inner, outer = zones[("近区", "Inner zone")], zones[("远区", "Outer zone")]  # a name per language
    assert (inner.fee_cents, inner.minimum_cents, inner.priority) == (300, 2000, 10)
    assert (outer.fee_cents, outer.minimum_cents, outer.priority) == (600, 3900, 0)
    store_point = (store.lat, store.lon)
    assert geo_ops.find_zone(store.id, store_point).name_zh == "近区"
    assert geo_ops.find_zone(store.id, store_point).fee_cents == 300


def test_seeding_twice_changes_nothing(app_ctx):
    seed()
    counts = [db.session.scalar(db.select(db.func.count()).select_from(model))
              for model in (DeliveryZone, Building, User, CourierShift)]
    _, created = seed()
    assert {"zones", "far_buildings", "shifts"} <= set(created)
    assert set(created.values()) == {0}, created
    assert counts == [db.session.scalar(db.select(db.func.count()).select_from(model))
                      for model in (DeliveryZone, Building, User, CourierShift)]


def test_every_gazetteer_building_is_inside_and_the_far_ones_are_outside(app_ctx):
    store, _ = seed()
    far_names = {name for name, *_ in FAR_BUILDINGS}
    buildings = db.session.scalars(db.select(Building).where(Building.store_id == store.id)).all()
    assert len(buildings) == len(data.buildings()) + len(FAR_BUILDINGS)
    for building in buildings:
        zone = geo_ops.find_zone(store.id, (building.lat, building.lon))
        if building.name_zh in far_names:
            assert zone is None, building.name
            assert 2300 < haversine_m((store.lat, store.lon), (building.lat, building.lon)) < 2700
        else:
            assert zone is not None, building.name


def test_no_demo_resident_lives_outside_and_all_can_order_now(app_ctx):
    store, _ = seed()
    residents = db.session.scalars(db.select(User).where(User.role == Role.RESIDENT.value)).all()
    assert len(residents) == len(data.RESIDENTS)
    now = utcnow()
    for resident in residents:
        address = resident.default_address()
        point = (address.building.lat, address.building.lon)
        quote = delivery_ops.quote(store, point, 3, now)
        assert quote.zone is not None, (resident.name, address.building.name)
        assert quote.deliverable, (resident.name, quote)


def test_demo_couriers_are_on_a_twelve_hour_shift_and_a_later_seed_tops_it_up(app_ctx):
    store, _ = seed()
    now = utcnow()
    assert delivery_ops.count_couriers_on_shift(store.id, now) == len(data.COURIERS)
    shift = db.session.scalars(db.select(CourierShift)).first()
    assert timedelta(hours=11, minutes=59) < shift.planned_end_at - shift.started_at <= timedelta(hours=12)
    tomorrow = now + timedelta(days=1)
    assert delivery_ops.count_couriers_on_shift(store.id, tomorrow) == 0
    with transaction():
        assert seed_courier_shifts(store, tomorrow) == len(data.COURIERS)
    assert delivery_ops.count_couriers_on_shift(store.id, tomorrow) == len(data.COURIERS)
    assert len(ZONES) == 2


def test_the_readme_counts_the_demo_buildings_right(app_ctx):
    """The README's description of the demo matches what seeding creates."""
    seed()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    count = db.session.scalar(db.select(db.func.count()).select_from(Building))
    assert f"with {count} buildings" in readme
