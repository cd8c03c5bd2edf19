"""products and categories get a stock picture and their names' pinyin; photos their sizes

``picture`` names a stock picture (an OpenMoji drawing shipped in ``static/``) shown when a product
has no photo (the category's when it has none either). ``image_width``, ``image_height`` and
``image_widths`` describe a product photo and the smaller copies kept beside it for ``srcset``.
``search_pinyin`` holds the pinyin of the Chinese name (``"niunai|niu nai|nn"``) so that search finds
牛奶 by "niunai" or "nn"; existing rows get theirs here.

Revision ID: 5e7a1c9d2b34
Revises: 55345bcd959e
Create Date: 2026-12-06 14:00:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa

from store_app.catalogue.search_rules import pinyin_key


# revision identifiers, used by Alembic.
revision = '5e7a1c9d2b34'
down_revision = '55345bcd959e'
branch_labels = None
depends_on = None


def _fill_pinyin(table_name):
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column('name_zh', sa.String),
                     sa.column('search_pinyin', sa.Text))
    bind = op.get_bind()
    for row_id, name_zh in bind.execute(sa.select(table.c.id, table.c.name_zh)).all():
        bind.execute(table.update().where(table.c.id == row_id).values(search_pinyin=pinyin_key(name_zh)))


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picture', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('search_pinyin', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('image_height', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('image_widths', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('picture', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('search_pinyin', sa.Text(), nullable=False, server_default=''))
    # Only columns are added (no table is rebuilt on SQLite, where rows of other tables refer to these).
    _fill_pinyin('categories')
    _fill_pinyin('products')


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('search_pinyin')
        batch_op.drop_column('picture')
        batch_op.drop_column('image_widths')
        batch_op.drop_column('image_height')
        batch_op.drop_column('image_width')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('search_pinyin')
        batch_op.drop_column('picture')
