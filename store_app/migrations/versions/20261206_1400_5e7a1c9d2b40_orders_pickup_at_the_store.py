"""orders may be collected at the store: fulfilment, the pickup code, when it was collected

A pickup order (到店自提) has no delivery task and no fee; its six-digit code is derived from
``pickup_code_nonce`` with the app's key, and only its keyed hash is kept (unique per store while
the order waits; cleared when it is finished). Every existing order is a delivery.

Revision ID: 5e7a1c9d2b40
Revises: 5d2e8a7c41b6
Create Date: 2026-12-06 14:00:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa

import store_app.database


# revision identifiers, used by Alembic.
revision = '5e7a1c9d2b40'
down_revision = '5d2e8a7c41b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fulfilment', sa.String(length=10), server_default='delivery', nullable=False))
        batch_op.add_column(sa.Column('pickup_code_nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('pickup_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('collected_at', store_app.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_orders_store_id_pickup_code_hash'),
                                          ['store_id', 'pickup_code_hash'])
        batch_op.create_check_constraint(batch_op.f('ck_orders_fulfilment_valid'),
                                         "fulfilment IN ('delivery', 'pickup')")


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_orders_fulfilment_valid'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_orders_store_id_pickup_code_hash'), type_='unique')
        batch_op.drop_column('collected_at')
        batch_op.drop_column('pickup_code_hash')
        batch_op.drop_column('pickup_code_nonce')
        batch_op.drop_column('fulfilment')
