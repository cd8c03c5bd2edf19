"""Zones, quotes and courier shifts on a real database (SQLite and PostgreSQL)."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from store_app.accounts.models import User
from store_app.database import transaction
from store_app.deliveries import errors as delivery_errors
from store_app.deliveries import operations as delivery_ops
from store_app.deliveries.models import CourierShift, DeliveryTask, TaskStatus
from store_app.extensions import db
from store_app.geo import operations as geo_ops
from store_app.geo.errors import ZoneNameTaken
from store_app.geo.models import DeliveryZone
from store_app.geo.zones import ZoneGeometryError
from store_app.roles import Role
from store_app.stores.models import Store

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
STORE_POINT = (31.2, 121.4)


def box(lat, lon, half):
    """A GeoJSON square of half-side ``half`` degrees around (lat, lon)."""
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def add_zone(store_id, name="Inner", half=0.01, priority=0, enabled=True, **kwargs):
    with transaction():
        zone = geo_ops.save_zone(store_id, name=name, geojson=box(*STORE_POINT, half), fee_cents=300,
                                 minimum_cents=2000, priority=priority, enabled=enabled, now=NOW, **kwargs)
        return zone.id


@pytest.fixture
def store_id(app_ctx, create_store):
    return create_store(lat=STORE_POINT[0], lon=STORE_POINT[1])


@pytest.fixture
def courier(store_id, create_user):
    user_id, _ = create_user(store_id, Role.COURIER)
    return db.session.get(User, user_id)


# ---- zones and the index cache ---------------------------------------------------------------

def test_save_zone_stores_a_normalised_polygon(store_id):
    zone_id = add_zone(store_id)
    zone = geo_ops.get_zone(store_id, zone_id)
    assert json.loads(zone.geojson)["type"] == "Polygon"
    assert zone.updated_at.tzinfo is not None


def test_an_invalid_polygon_saves_nothing(store_id):
    bow_tie = json.dumps({"type": "Polygon", "coordinates": [[[121.39, 31.19], [121.41, 31.21], [121.41, 31.19],
                                                               [121.39, 31.21], [121.39, 31.19]]]})
    with pytest.raises(ZoneGeometryError):
        with transaction():
            geo_ops.save_zone(store_id, name="Bad", geojson=bow_tie, fee_cents=0, minimum_cents=0, now=NOW)
    assert db.session.scalar(db.select(db.func.count(DeliveryZone.id))) == 0


def test_zone_names_are_unique_per_store(store_id, create_store):
    add_zone(store_id, "Inner")
    with pytest.raises(ZoneNameTaken):
        add_zone(store_id, "Inner ")
    other = create_store("Other")
    add_zone(other, "Inner")  # another store may use the name


def test_the_index_is_cached_and_rebuilt_after_a_save(store_id):
    zone_id = add_zone(store_id, half=0.01)
    first, facts = geo_ops.get_zone_index(store_id)
    again, _ = geo_ops.get_zone_index(store_id)
    assert again is first, "unchanged zones: the cached index is reused"
    far_point = (31.2 + 0.015, 121.4)
    assert geo_ops.find_zone(store_id, far_point) is None
    assert facts[zone_id].fee_cents == 300

    zone = geo_ops.get_zone(store_id, zone_id)
    before = zone.updated_at
    with transaction():
        geo_ops.save_zone(store_id, name="Inner", geojson=box(*STORE_POINT, 0.02), fee_cents=500, minimum_cents=0,
                          now=NOW + timedelta(minutes=1), zone=zone)
    assert geo_ops.get_zone(store_id, zone_id).updated_at > before
    rebuilt, facts = geo_ops.get_zone_index(store_id)
    assert rebuilt is not first
    assert geo_ops.find_zone(store_id, far_point).fee_cents == 500


def test_the_index_is_rebuilt_after_a_delete(store_id):
    inner = add_zone(store_id, "Inner", half=0.01, priority=10)
    add_zone(store_id, "Outer", half=0.02, priority=0)
    assert geo_ops.find_zone(store_id, STORE_POINT).name == "Inner"
    first, _ = geo_ops.get_zone_index(store_id)
    with transaction():
        assert geo_ops.delete_zone(store_id, inner) is True
    assert geo_ops.get_zone_index(store_id)[0] is not first
    assert geo_ops.find_zone(store_id, STORE_POINT).name == "Outer"
    with transaction():
        assert geo_ops.delete_zone(store_id, inner) is False


def test_another_stores_zone_is_missing(store_id, create_store):
    zone_id = add_zone(store_id)
    other = create_store("Other")
    assert geo_ops.get_zone(other, zone_id) is None
    with transaction():
        assert geo_ops.delete_zone(other, zone_id) is False
    assert geo_ops.get_zone(store_id, zone_id) is not None
    assert geo_ops.find_zone(other, STORE_POINT) is None


def test_a_paused_inner_zone_leaves_the_outer_zone_in_charge(store_id):
    add_zone(store_id, "Inner", half=0.01, priority=10, enabled=False)
    add_zone(store_id, "Outer", half=0.02, priority=0)
    assert geo_ops.find_zone(store_id, STORE_POINT).name == "Outer"


def test_the_delivery_map_lists_what_to_draw(store_id, create_building):
    create_building(store_id, "Lotus 1", lat=31.201, lon=121.401)
    add_zone(store_id, "Inner", half=0.01, priority=10, enabled=False)
    add_zone(store_id, "Outer", half=0.02)
    store = db.session.get(Store, store_id)
    view = geo_ops.load_delivery_map(store, point=(31.205, 121.405))
    assert {z.name for z in view.zones} == {"Inner", "Outer"}
    assert [b.name for b in view.buildings] == ["Lotus 1"]
    assert view.point is not None
    residents_view = geo_ops.load_delivery_map(store, enabled_only=True)
    assert [z.name for z in residents_view.zones] == ["Outer"]


# ---- quotes count couriers on shift and open deliveries ---------------------------------------

def add_tasks(store_id, count, status=TaskStatus.OPEN, scheduled_for=None):
    """``count`` delivery tasks in ``status``: the couriers' queue is counted from the tasks alone."""
    with transaction():
        for _ in range(count):
            db.session.add(DeliveryTask(
                store_id=store_id, status=status.value, pickup_lat=31.2, pickup_lon=121.4, dropoff_lat=31.201,
                dropoff_lon=121.401, ready_at=NOW, promised_at=NOW + timedelta(minutes=20),
                scheduled_for=scheduled_for, created_at=NOW))


def test_quote_says_no_courier_until_someone_starts_a_shift(store_id, courier):
    add_zone(store_id)
    store = db.session.get(Store, store_id)
    quote = delivery_ops.quote(store, (31.201, 121.401), 1, NOW)
    assert (quote.deliverable, quote.reason, quote.zone) == (False, "no_courier", "Inner")
    with transaction():
        delivery_ops.start_shift(courier, NOW, 4)
    quote = delivery_ops.quote(store, (31.201, 121.401), 1, NOW)
    assert quote.deliverable and quote.eta_minutes <= store.promise_minutes
    # After the planned end the courier no longer counts.
    assert delivery_ops.quote(store, (31.201, 121.401), 1, NOW + timedelta(hours=4)).reason == "no_courier"


def test_quote_waits_for_open_deliveries(store_id, courier):
    add_zone(store_id, half=0.05)
    store = db.session.get(Store, store_id)
    with transaction():
        delivery_ops.start_shift(courier, NOW, 4)
    point = (31.215, 121.415)
    free = delivery_ops.quote(store, point, 1, NOW)
    # Delivered, failed, cancelled and scheduled deliveries do not keep couriers busy.
    add_tasks(store_id, 3, TaskStatus.DELIVERED)
    add_tasks(store_id, 1, TaskStatus.FAILED)
    add_tasks(store_id, 2, TaskStatus.CANCELLED)
    add_tasks(store_id, 2, scheduled_for=NOW + timedelta(hours=5))
    assert delivery_ops.count_open_deliveries(store_id) == 0
    assert delivery_ops.quote(store, point, 1, NOW) == free
    add_tasks(store_id, 1, TaskStatus.OPEN)
    busy = delivery_ops.quote(store, point, 1, NOW)
    assert busy.eta_minutes > free.eta_minutes
    add_tasks(store_id, 2, TaskStatus.ASSIGNED)
    add_tasks(store_id, 1, TaskStatus.PICKED_UP)
    too_busy = delivery_ops.quote(store, point, 1, NOW)
    assert (too_busy.deliverable, too_busy.reason, too_busy.zone) == (False, "too_busy", "Inner")


def test_quote_outside_every_zone(store_id, courier):
    add_zone(store_id)
    store = db.session.get(Store, store_id)
    quote = delivery_ops.quote(store, (31.3, 121.5), 1, NOW)
    assert quote.to_json() == {"deliverable": False, "zone": None, "fee_cents": None, "minimum_cents": None,
                               "eta_minutes": None, "reason": "outside_zone"}


def test_quote_respects_zone_hours_in_the_store_time_zone(store_id, courier):
    add_zone(store_id, opens_min=13 * 60, closes_min=22 * 60)
    store = db.session.get(Store, store_id)
    with transaction():
        delivery_ops.start_shift(courier, NOW, 8)
    assert delivery_ops.quote(store, STORE_POINT, 1, NOW).reason == "zone_closed"  # 12:00 local
    assert delivery_ops.quote(store, STORE_POINT, 1, NOW + timedelta(hours=1)).deliverable  # 13:00 local


# ---- shifts ----------------------------------------------------------------------------------

def test_start_and_end_a_shift(courier):
    with transaction():
        shift = delivery_ops.start_shift(courier, NOW, 6)
    assert shift.planned_end_at == NOW + timedelta(hours=6)
    assert delivery_ops.get_current_shift(courier.id, NOW + timedelta(hours=1)).id == shift.id
    with transaction():
        ended = delivery_ops.end_shift(courier, NOW + timedelta(hours=2))
    assert ended.ended_at == NOW + timedelta(hours=2)
    assert delivery_ops.get_open_shift(courier.id) is None
    assert delivery_ops.count_couriers_on_shift(courier.store_id, NOW + timedelta(hours=3)) == 0


def test_a_second_start_is_refused_cleanly(courier):
    with transaction():
        delivery_ops.start_shift(courier, NOW, 4)
    with pytest.raises(delivery_errors.ShiftAlreadyOpen):
        with transaction():
            delivery_ops.start_shift(courier, NOW + timedelta(minutes=5), 4)
    assert db.session.scalar(db.select(db.func.count(CourierShift.id))) == 1


def test_two_starts_racing_meet_the_unique_index(courier, monkeypatch):
    with transaction():
        delivery_ops.start_shift(courier, NOW, 4)
    # The second request read "no open shift" before the first one committed.
    monkeypatch.setattr(delivery_ops, "get_open_shift", lambda courier_id: None)
    with pytest.raises(delivery_errors.ShiftAlreadyOpen) as info:
        with transaction():
            delivery_ops.start_shift(courier, NOW, 4)
    assert isinstance(info.value.__cause__, IntegrityError)
    assert db.session.scalar(db.select(db.func.count(CourierShift.id))) == 1


def test_a_forgotten_shift_is_closed_at_its_planned_end_when_the_next_starts(courier):
    with transaction():
        old = delivery_ops.start_shift(courier, NOW, 2)
        old_id = old.id
    later = NOW + timedelta(hours=5)
    with transaction():
        new = delivery_ops.start_shift(courier, later, 4)
    assert new.id != old_id
    assert db.session.get(CourierShift, old_id).ended_at == NOW + timedelta(hours=2)


@pytest.mark.parametrize("hours", [0, 13, -1, 2.5, "4"])
def test_shift_length_is_checked(courier, hours):
    with pytest.raises(delivery_errors.ShiftLengthInvalid):
        delivery_ops.start_shift(courier, NOW, hours)


def test_ending_without_a_shift_is_refused(courier):
    with pytest.raises(delivery_errors.NoOpenShift):
        delivery_ops.end_shift(courier, NOW)
