"""the scheduler's leader lease, and the lease epoch of every job run

``scheduler_leases`` replaces the PostgreSQL advisory lock (and the SQLite file lock): one row per
lease, with its holder, its epoch (the fencing token) and its expiry on the database's clock.
``job_runs.epoch`` records the epoch a run was made under; older runs have none.

Revision ID: 5e7a1c9d3b20
Revises: 9f139e7b0311
Create Date: 2026-12-06 14:00:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa

import store_app.database


# revision identifiers, used by Alembic.
revision = '5e7a1c9d3b20'
down_revision = '9f139e7b0311'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduler_leases',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('epoch', sa.BigInteger(), nullable=False),
        sa.Column('acquired_at', store_app.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', store_app.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases')),
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('epoch', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('epoch')
    op.drop_table('scheduler_leases')
