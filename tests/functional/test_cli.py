"""``flask seed-demo``: the demo community, loaded once however often the command runs.

``flask`` itself (FlaskGroup) pushes an app context around every command; the test runner invokes
``app.cli`` directly, so these tests push one as ``flask`` would (see the xfail at the bottom).
"""
import pytest

from store_app.accounts.models import Address, User
from store_app.demo import data, services_data
from store_app.extensions import db
from store_app.geo.models import Building
from store_app.geo.rules import haversine_m
from store_app.roles import Role
from store_app.stores.models import Store

from .conftest import post_form


def _seed(app, runner):
    with app.app_context():
        result = runner.invoke(args=["seed-demo"])
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output
    return result.output


def _census(app):
    """Everything the demo is made of, as plain values, to compare before and after."""
    with app.app_context():
        stores = db.session.scalars(db.select(Store)).all()
        users = db.session.scalars(db.select(User).order_by(User.phone)).all()
        return {
            "stores": [(s.id, s.name, s.lat, s.lon, s.timezone, sorted(s.intervals())) for s in stores],
            "buildings": sorted(db.session.execute(db.select(Building.id, Building.store_id, Building.name_zh,
                                                             Building.name_en, Building.lat, Building.lon)).all()),
            "users": [(u.phone, u.name, u.role, u.store_id,
                       [(a.building_id, a.unit, a.is_default) for a in u.addresses]) for u in users],
            "addresses": db.session.scalar(db.select(db.func.count()).select_from(Address)),
        }


def test_seed_demo_creates_the_demo_community_once(app, runner):
    output = _seed(app, runner)

    assert "created 40 buildings, 27 accounts" in output
    census = _census(app)
    ((store_id, name, lat, lon, timezone, hours),) = census["stores"]
    assert (name, lat, lon, timezone) == (data.STORE["name"], data.STORE["lat"], data.STORE["lon"],
                                          data.STORE["timezone"])
    assert hours == sorted(data.HOURS)
    assert all(b[1] == store_id for b in census["buildings"])
    by_name = {b[2]: b for b in census["buildings"]}
    assert len(by_name) == len(census["buildings"]), "building names are unique"
    # The 40 buildings of the demo compounds, all within a short walk of the store. (The zones
    # demo may add a few buildings beyond the delivery area on purpose; they are not counted here.)
    compound_names = [spec["name_zh"] for spec in data.buildings()]
    assert len(set(compound_names)) == 40
    for building_name in compound_names:
        _, _, _, name_en, b_lat, b_lon = by_name[building_name]
        assert name_en and name_en.isascii(), "each demo building has its English name in its own field"
        assert 50 < haversine_m((lat, lon), (b_lat, b_lon)) <= 1600, building_name

    people = {phone: (person_name, role, store, addresses)
              for phone, person_name, role, store, addresses in census["users"]}
    expected = ([(data.OWNER, Role.OWNER)] + [(p, Role.STAFF) for p in data.STAFF]
                + [(p, Role.COURIER) for p in data.COURIERS] + [(p, Role.RESIDENT) for p in data.RESIDENTS])
    expected += [(p, Role.VENDOR) for logins in services_data.vendor_logins() for p in logins]
    assert sorted(people) == sorted(phone for (phone, *_names), _ in expected)
    building_ids = {b[0] for b in census["buildings"]}
    for (phone, person_name, _name_en), role in expected:
        got_name, got_role, got_store, addresses = people[phone]
        assert (got_name, got_role, got_store) == (person_name, role.value, store_id)
        if role is Role.RESIDENT:
            assert len(addresses) == 1 and addresses[0][2] is True, phone
            assert addresses[0][0] in building_ids and addresses[0][1]
        else:
            assert addresses == []

    again = _seed(app, runner)

    assert "created 0 buildings, 0 accounts" in again
    assert _census(app) == census


def test_seed_demo_keeps_what_exists_and_adds_what_is_missing(app, runner):
    _seed(app, runner)
    with app.app_context():
        # A building nothing points at (every foreign key to buildings.id is looked at).
        used = set()
        for table in db.metadata.tables.values():
            for fk in table.foreign_keys:
                if fk.column.table.name == "buildings":
                    used |= set(db.session.scalars(db.select(fk.parent).where(fk.parent.isnot(None))))
        ids = dict(db.session.execute(db.select(Building.name_zh, Building.id)).all())
        spare = next(spec["name_zh"] for spec in data.buildings() if ids[spec["name_zh"]] not in used)
        db.session.execute(db.delete(Building).where(Building.name_zh == spare))
        db.session.execute(db.update(User).where(User.phone == data.OWNER[0]).values(name="Renamed Owner"))
        db.session.commit()
    before = _census(app)

    output = _seed(app, runner)

    assert "created 1 buildings, 0 accounts" in output
    after = _census(app)
    assert [b[2] for b in after["buildings"] if b[2] == spare] == [spare]
    assert len(after["buildings"]) == len(before["buildings"]) + 1
    assert after["users"] == before["users"], "existing accounts are left alone"
    assert dict((u[0], u[1]) for u in after["users"])[data.OWNER[0]] == "Renamed Owner"


def test_demo_logins_work_with_the_demo_password(app, runner):
    _seed(app, runner)
    logins = {data.OWNER[0]: "/owner", data.STAFF[0][0]: "/console", data.COURIERS[0][0]: "/courier",
              data.RESIDENTS[0][0]: "/shop", data.RESIDENTS[-1][0]: "/shop"}
    for phone, home in logins.items():
        client = app.test_client()
        national = phone[3:]  # typed the way people type it: 138 0013 8000
        response = post_form(client, "/login", {"phone": f"{national[:3]} {national[3:7]} {national[7:]}",
                                                "password": data.PASSWORD}, token_from="/login")
        assert (response.status_code, response.headers.get("Location")) == (302, home), phone
        assert client.get(home).status_code == 200, phone
    with app.app_context():
        hashes = set(db.session.scalars(db.select(User.password_hash)))
    assert all(h.startswith(app.config["PASSWORD_HASH_METHOD"] + "$") for h in hashes), \
        "seed uses the configured (in tests: cheap) scrypt"


def test_the_demo_vendors_and_crew_members_log_in_with_the_demo_password(app, runner):
    _seed(app, runner)
    owners, crew = services_data.vendor_logins()
    for phone, *_names in (owners[0], owners[-1], crew[0]):
        client = app.test_client()
        response = post_form(client, "/login", {"phone": phone, "password": data.PASSWORD}, token_from="/login")
        assert response.status_code == 302 and "/login" not in response.headers["Location"], phone
        assert client.get(response.headers["Location"]).status_code == 200, phone


def test_demo_logins_command_prints_the_demo_accounts(app, runner):
    with app.app_context():
        result = runner.invoke(args=["demo-logins"])

    assert result.exit_code == 0
    for phone in (data.OWNER[0], data.STAFF[0][0], data.COURIERS[0][0], data.RESIDENTS[0][0],
                  services_data.VENDOR_PHONES[0], services_data.CREW_PHONES[0]):
        assert phone in result.output
    assert data.PASSWORD in result.output


def test_seed_demo_runs_from_the_test_cli_runner_without_help(app, runner):
    result = runner.invoke(args=["seed-demo"])

    assert result.exception is None, result.output
    assert result.exit_code == 0
