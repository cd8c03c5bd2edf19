"""bookings queue per crew: on PostgreSQL, writers of one crew's occupying bookings take a
transaction-scoped advisory lock (a trigger) before the no-double-booking exclusion constraint is
checked, so two overlapping INSERTs at once give one row and a clean exclusion violation, never a
deadlock. SQLite runs one writer at a time and needs nothing.

Revision ID: a9bae84bd85e
Revises: 826cd3435a84
Create Date: 2026-12-06 20:05:00+00:00

"""
from alembic import op

# As services/booking_models.py has it at this revision (PG_CREW_LOCK).
PG_CREW_LOCK = (
    "CREATE OR REPLACE FUNCTION service_bookings_lock_crew() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF NEW.crew_id IS NOT NULL AND NEW.status IN ('held', 'requested', 'accepted', 'on_the_way', 'arrived', "
    "'in_progress') THEN PERFORM pg_advisory_xact_lock(130001, NEW.crew_id); END IF; RETURN NEW; END $$",
    "CREATE TRIGGER no_double_booking_lock BEFORE INSERT OR UPDATE OF crew_id, status, block_start_at, "
    "block_end_at ON service_bookings FOR EACH ROW EXECUTE FUNCTION service_bookings_lock_crew()",
)

# revision identifiers, used by Alembic.
revision = 'a9bae84bd85e'
down_revision = '826cd3435a84'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_CREW_LOCK:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS no_double_booking_lock ON service_bookings")
        op.execute("DROP FUNCTION IF EXISTS service_bookings_lock_crew()")
