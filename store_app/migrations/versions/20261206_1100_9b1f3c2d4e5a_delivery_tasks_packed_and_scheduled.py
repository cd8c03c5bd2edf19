"""delivery tasks know when they were packed and which slot they were booked for

The dispatcher and the quote read a task's own columns instead of its order's: ``packed_at`` (the
goods are ready at the pickup point: the planner may plan it), ``scheduled_for`` (a later slot:
not in the couriers' queue). Existing tasks take both from their orders.

Revision ID: 9b1f3c2d4e5a
Revises: 0788abee5f8d
Create Date: 2026-12-06 11:00:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa

import store_app.database


# revision identifiers, used by Alembic.
revision = '9b1f3c2d4e5a'
down_revision = '0788abee5f8d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheduled_for', store_app.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('packed_at', store_app.database.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE delivery_tasks SET scheduled_for = "
               "(SELECT orders.scheduled_for FROM orders WHERE orders.id = delivery_tasks.order_id)")
    op.execute("UPDATE delivery_tasks SET packed_at = "
               "(SELECT COALESCE(orders.ready_at, orders.placed_at) FROM orders WHERE orders.id = delivery_tasks.order_id "
               "AND orders.status IN ('ready', 'assigned', 'picked_up', 'delivered', 'failed'))")


def downgrade():
    with op.batch_alter_table('delivery_tasks', schema=None) as batch_op:
        batch_op.drop_column('packed_at')
        batch_op.drop_column('scheduled_for')
