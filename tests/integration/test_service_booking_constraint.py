"""No double booking, enforced by the database itself (on SQLite by triggers, on PostgreSQL by an
exclusion constraint over the crew and its time range, buffers included).

Every write here is raw SQL (``INSERT``/``UPDATE`` through ``text()``), bypassing the ORM and every
operation: what is refused is refused by the database. The ``app`` fixture runs each test on SQLite,
and again on PostgreSQL when TEST_DATABASE_URL is set.

Times are the blocks ``[block_start_at, block_end_at)``: the job with both buffers. Blocks that touch
end-to-start share no minute and are allowed; one minute of overlap is refused.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.exc import IntegrityError

from services.booking_models import CREW_LOCK_CLASS, Booking
from services.statuses import OCCUPYING, BookingStatus
from store_app.database import UTCDateTime, transaction
from store_app.extensions import db
from store_app.roles import Role
from tests.services_support import add_category, add_offering, add_vendor, local

DAY = date(2026, 12, 14)
NINE = local(DAY, 9)  # the first booking's block: 09:00-11:30 (15 min buffers around a 2 h job)
BLOCK = timedelta(minutes=150)

_COLUMNS = ("store_id", "resident_id", "offering_id", "category_id", "vendor_id", "crew_id", "status",
            "starts_at", "ends_at", "block_start_at", "block_end_at", "address_text", "contact_phone",
            "description", "photos", "completion_photos", "price_model", "price_cents", "commission_bps",
            "payment_method", "held_cents", "extras_cents", "fee_cents", "reschedules", "cancel_reason",
            "id_check_note", "created_at")
_TIMES = ("starts_at", "ends_at", "block_start_at", "block_end_at", "created_at")
INSERT = text(f"INSERT INTO service_bookings ({', '.join(_COLUMNS)}) "
              f"VALUES ({', '.join(':' + c for c in _COLUMNS)}) RETURNING id").bindparams(
    *[bindparam(name, type_=UTCDateTime) for name in _TIMES])


@pytest.fixture
def crews(app_ctx, create_store, create_user):
    """One vendor with two crews and an offering of a 2 h job with 15 min buffers: a dict of ids."""
    store_id = create_store()
    resident_id, _ = create_user(store_id, Role.RESIDENT)
    with transaction():
        category = add_category(store_id)
        vendor = add_vendor(store_id, [category], crews=2)
        offering = add_offering(vendor, category, duration_min=120, buffer_before_min=15, buffer_after_min=15)
        return {"store_id": store_id, "resident_id": resident_id, "category_id": category.id,
                "vendor_id": vendor.id, "offering_id": offering.id, "crews": [c.id for c in vendor.crews]}


def booking_values(ids, block_start_at, *, crew=0, status=BookingStatus.REQUESTED, block=BLOCK):
    """The columns of a booking whose block starts at ``block_start_at`` on crew number ``crew`` (or None)."""
    crew_id = None if crew is None else ids["crews"][crew]
    buffer = timedelta(minutes=15 if block > timedelta(hours=1) else 5)
    return {
        "store_id": ids["store_id"], "resident_id": ids["resident_id"], "offering_id": ids["offering_id"],
        "category_id": ids["category_id"], "vendor_id": ids["vendor_id"], "crew_id": crew_id,
        "status": BookingStatus(status).value, "block_start_at": block_start_at,
        "starts_at": block_start_at + buffer, "ends_at": block_start_at + block - buffer,
        "block_end_at": block_start_at + block, "address_text": "莲花苑 3号楼 1-101", "contact_phone": "",
        "description": "", "photos": "[]", "completion_photos": "[]", "price_model": "fixed", "price_cents": 20000,
        "commission_bps": 1500, "payment_method": "cash", "held_cents": 0, "extras_cents": 0, "fee_cents": 0,
        "reschedules": 0, "cancel_reason": "", "id_check_note": "", "created_at": block_start_at - timedelta(days=1)}


def raw_insert(ids, block_start_at, **kwargs):
    """INSERT one booking (``booking_values``) in its own transaction; returns its id."""
    with transaction():
        return db.session.execute(INSERT, booking_values(ids, block_start_at, **kwargs)).scalar_one()


def raw_update(booking_id, **values):
    """UPDATE one booking's columns with raw SQL, in its own transaction."""
    sets = ", ".join(f"{column} = :{column}" for column in values)
    statement = text(f"UPDATE service_bookings SET {sets} WHERE id = :id").bindparams(
        *[bindparam(name, type_=UTCDateTime) for name in values if name.endswith("_at")])
    with transaction():
        db.session.execute(statement, {**values, "id": booking_id})


def refused(write):
    """Run ``write`` and return the database's refusal (the test fails if it was not refused by the
    no-double-booking rule, or if anything was written)."""
    before = db.session.scalar(db.select(db.func.count(Booking.id)))
    with pytest.raises(IntegrityError) as caught:
        write()
    assert "no_double_booking" in str(caught.value)
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == before
    return caught.value


def booking_rows():
    rows = db.session.execute(db.select(Booking.crew_id, Booking.status, Booking.block_start_at)
                              .order_by(Booking.id)).all()
    return [tuple(row) for row in rows]


def test_an_overlapping_insert_on_the_same_crew_is_refused_by_one_minute_and_touching_blocks_are_allowed(crews):
    raw_insert(crews, NINE)
    refused(lambda: raw_insert(crews, NINE))                                 # the same block
    refused(lambda: raw_insert(crews, NINE + BLOCK - timedelta(minutes=1)))  # one minute into its end
    refused(lambda: raw_insert(crews, NINE - BLOCK + timedelta(minutes=1)))  # its end one minute in
    refused(lambda: raw_insert(crews, NINE + timedelta(minutes=30), block=timedelta(minutes=30)))  # inside
    refused(lambda: raw_insert(crews, NINE - timedelta(hours=1), block=timedelta(hours=5)))  # around it
    raw_insert(crews, NINE + BLOCK)  # starts the minute the first block ends
    raw_insert(crews, NINE - BLOCK)  # ends the minute the first block starts
    assert [start for _crew, _status, start in booking_rows()] == [NINE, NINE + BLOCK, NINE - BLOCK]


def test_the_buffers_are_part_of_the_block(crews):
    """The jobs themselves (09:15-11:15 and 11:20-13:20) do not overlap; their buffers do."""
    raw_insert(crews, NINE)
    refused(lambda: raw_insert(crews, NINE + timedelta(minutes=125)))


@pytest.mark.parametrize("status", OCCUPYING)
def test_every_occupying_status_blocks_the_crew(crews, status):
    raw_insert(crews, NINE, status=status)
    refused(lambda: raw_insert(crews, NINE + timedelta(minutes=30)))
    refused(lambda: raw_insert(crews, NINE + timedelta(minutes=30), status=status))


def test_the_same_time_on_another_crew_is_allowed(crews):
    raw_insert(crews, NINE, crew=0)
    raw_insert(crews, NINE, crew=1)
    assert [crew for crew, _status, _start in booking_rows()] == crews["crews"]


@pytest.mark.parametrize("status", ["cancelled", "expired", "vendor_no_show", "completed", "reviewed", "no_show"])
def test_a_booking_that_ended_blocks_nothing(crews, status):
    raw_insert(crews, NINE, status=status)
    raw_insert(crews, NINE)  # an occupying one over a finished one
    raw_insert(crews, NINE, status=status)  # and another finished one over both
    assert [s for _crew, s, _start in booking_rows()] == [status, "requested", status]


def test_a_reoffered_booking_without_a_crew_blocks_nothing(crews):
    for status in ("reoffered", "escalated"):
        raw_insert(crews, NINE, crew=None, status=status)
    raw_insert(crews, NINE, crew=0)
    raw_insert(crews, NINE, crew=1)
    assert len(booking_rows()) == 4


def test_an_occupying_booking_needs_a_crew(crews):
    with pytest.raises(IntegrityError) as caught:
        raw_insert(crews, NINE, crew=None, status="requested")
    assert "occupying_booking_has_crew" in str(caught.value)


def test_an_update_onto_an_overlapping_time_is_refused(crews):
    raw_insert(crews, NINE)
    later = raw_insert(crews, NINE + BLOCK)
    refused(lambda: raw_update(later, block_start_at=NINE + BLOCK - timedelta(minutes=1)))
    refused(lambda: raw_update(later, block_end_at=NINE + 2 * BLOCK, block_start_at=NINE + timedelta(hours=1)))
    raw_update(later, block_start_at=NINE + BLOCK + timedelta(minutes=5))  # a later start is free
    assert booking_rows()[1][2] == NINE + BLOCK + timedelta(minutes=5)


def test_an_update_onto_another_crew_that_is_busy_is_refused(crews):
    raw_insert(crews, NINE, crew=0)
    other = raw_insert(crews, NINE + timedelta(minutes=30), crew=1)
    refused(lambda: raw_update(other, crew_id=crews["crews"][0]))
    assert booking_rows()[1][0] == crews["crews"][1]


def test_an_update_that_brings_an_ended_booking_back_onto_a_taken_time_is_refused(crews):
    first = raw_insert(crews, NINE, status="cancelled")
    raw_insert(crews, NINE)
    refused(lambda: raw_update(first, status="requested"))
    # Re-offered (crew NULL) it blocks nothing; given the crew back it is refused again.
    raw_update(first, status="reoffered", crew_id=None)
    refused(lambda: raw_update(first, status="accepted", crew_id=crews["crews"][0]))
    raw_update(first, status="accepted", crew_id=crews["crews"][1])
    assert [(crew, status) for crew, status, _start in booking_rows()] == [
        (crews["crews"][1], "accepted"), (crews["crews"][0], "requested")]


def test_cancelling_frees_the_time_for_a_new_booking(crews):
    first = raw_insert(crews, NINE)
    refused(lambda: raw_insert(crews, NINE))
    raw_update(first, status="cancelled")
    raw_insert(crews, NINE)
    assert [s for _crew, s, _start in booking_rows()] == ["cancelled", "requested"]


def test_an_orm_flush_of_an_overlap_is_refused_too(crews):
    """The same rule meets the ORM's own INSERT (what the operations use)."""
    raw_insert(crews, NINE)
    row = {column: value for column, value in db.session.execute(
        db.select(Booking.__table__)).mappings().one().items() if column != "id"}

    def flush_copy():
        with transaction():
            db.session.add(Booking(**{**row, "block_start_at": NINE + timedelta(minutes=90),
                                      "starts_at": NINE + timedelta(minutes=105),
                                      "ends_at": NINE + timedelta(minutes=200),
                                      "block_end_at": NINE + timedelta(minutes=215)}))
    refused(flush_copy)



@pytest.mark.parametrize("db_backend", ["postgresql"])  # SQLite runs one writer at a time
def test_on_postgresql_writers_of_one_crew_queue_so_a_race_never_deadlocks(crews):
    """Two transactions inserting overlapping rows at once could each wait for the other's row inside
    the exclusion check (a deadlock); a trigger makes writers of one crew's occupying bookings queue on
    an advisory lock first (tests/concurrency/test_booking_constraint_races.py runs the race)."""
    held = text("SELECT classid, objid FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
    with transaction():
        db.session.execute(INSERT, booking_values(crews, NINE, status="cancelled"))
        assert db.session.execute(held).all() == []  # an ended booking takes no crew's time
        db.session.execute(INSERT, booking_values(crews, NINE))
        assert [tuple(lock) for lock in db.session.execute(held)] == [(CREW_LOCK_CLASS, crews["crews"][0])]
    assert db.session.execute(held).all() == []  # released with the transaction
