"""names per language, keyed wallet notes and sizes

Things staff name get a field per language: buildings, zones and carriers ``name_zh`` / ``name_en``
(the old one-field name is split: "近区 Inner" -> "近区" + "Inner"; a building's English name is its
first alias in Latin letters); people, stores and merchants keep ``name`` and gain ``name_en`` (a store also ``address_en``).
A parcel keeps its carrier's ``name_zh`` (else ``name_en``). Wallet entries written by the app get a
``note_key`` with ``note_params`` instead of an English note; products' sizes are stored as keys
("4 pieces" -> "4 piece").

Revision ID: 5d2e8a7c41b6
Revises: 5e7a1c9d2b34
Create Date: 2026-12-06 14:00:00.000000+00:00

"""
import json

from alembic import op
import sqlalchemy as sa

from store_app.catalogue.units import UnknownUnit, parse_unit
from store_app.web.names import has_han, split_names


# revision identifiers, used by Alembic.
revision = '5d2e8a7c41b6'
down_revision = '5e7a1c9d2b34'
branch_labels = None
depends_on = None

WALLET_NOTES = {"order cancelled": "order_cancelled", "delivery failed": "delivery_failed",
                "parcel storage fee": "parcel_storage_fee"}


def _name_columns(table, length):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_zh', sa.String(length=length), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_en', sa.String(length=length), server_default='', nullable=False))


def _latin_alias(aliases):
    return next((a.strip() for a in (aliases or "").splitlines()
                 if a.strip() and not has_han(a) and any(c.isalpha() for c in a)), "")


def _split_table(conn, table, with_aliases=False):
    columns = "id, name, aliases" if with_aliases else "id, name"
    for row in conn.execute(sa.text(f"SELECT {columns} FROM {table}")).all():
        zh, en = split_names(row.name)
        if with_aliases and not en:
            en = _latin_alias(row.aliases)
        conn.execute(sa.text(f"UPDATE {table} SET name_zh = :zh, name_en = :en WHERE id = :id"),
                     {"zh": zh, "en": en, "id": row.id})


def _split_primary(conn, table):
    """People, stores, merchants: ``name`` keeps the Chinese part when a name has both."""
    for row in conn.execute(sa.text(f"SELECT id, name FROM {table}")).all():
        zh, en = split_names(row.name)
        if zh and en:
            conn.execute(sa.text(f"UPDATE {table} SET name = :zh, name_en = :en WHERE id = :id"),
                         {"zh": zh, "en": en, "id": row.id})


def _wallet_notes(conn):
    rows = conn.execute(sa.text("SELECT id, note, order_id FROM wallet_entries WHERE note <> ''")).all()
    for row in rows:
        note = row.note.strip()
        key, params = WALLET_NOTES.get(note.lower()), None
        if key is None and note.lower().startswith("unavailable:"):
            name_zh = note.split(":", 1)[1].strip()
            name_en = conn.execute(sa.text("SELECT name_en FROM order_items WHERE order_id = :o AND name_zh = :n"),
                                   {"o": row.order_id, "n": name_zh}).scalar() or ""
            key, params = "unavailable", {"name_zh": name_zh, "name_en": name_en}
        if key is not None:
            conn.execute(sa.text("UPDATE wallet_entries SET note = '', note_key = :k, note_params = :p WHERE id = :id"),
                         {"k": key, "p": json.dumps(params) if params else None, "id": row.id})


def _unit_labels(conn):
    for (label,) in conn.execute(sa.text("SELECT DISTINCT unit_label FROM products WHERE unit_label <> ''")).all():
        try:
            stored = parse_unit(label)
        except UnknownUnit:
            continue
        if stored != label:
            conn.execute(sa.text("UPDATE products SET unit_label = :new WHERE unit_label = :old"),
                         {"new": stored, "old": label})


def upgrade():
    conn = op.get_bind()
    _name_columns('buildings', 120)
    _name_columns('delivery_zones', 80)
    _name_columns('parcel_carriers', 40)
    _split_table(conn, 'buildings', with_aliases=True)
    _split_table(conn, 'delivery_zones')
    _split_table(conn, 'parcel_carriers')
    for (carrier,) in conn.execute(sa.text("SELECT DISTINCT carrier FROM parcels")).all():
        zh, en = split_names(carrier)
        if (zh or en) != carrier:
            conn.execute(sa.text("UPDATE parcels SET carrier = :new WHERE carrier = :old"),
                         {"new": zh or en, "old": carrier})
    for table in ('buildings', 'delivery_zones', 'parcel_carriers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_store_id_name', type_='unique')
            batch_op.drop_column('name')
    for table, length in (('users', 80), ('stores', 120), ('merchants', 120)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_en', sa.String(length=length), server_default='', nullable=False))
        _split_primary(conn, table)
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_en', sa.String(length=255), server_default='', nullable=False))
    for row in conn.execute(sa.text("SELECT id, address FROM stores")).all():
        zh, en = split_names(row.address)
        if zh and en:
            conn.execute(sa.text("UPDATE stores SET address = :zh, address_en = :en WHERE id = :id"),
                         {"zh": zh, "en": en, "id": row.id})
    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('note_params', sa.JSON(), nullable=True))
    _wallet_notes(conn)
    _unit_labels(conn)


def downgrade():
    conn = op.get_bind()
    for row in conn.execute(sa.text("SELECT id, note_key, note_params FROM wallet_entries "
                                    "WHERE note_key IS NOT NULL")).all():
        params = row.note_params if isinstance(row.note_params, dict) else json.loads(row.note_params or "null")
        note = {v: k for k, v in WALLET_NOTES.items()}.get(row.note_key, row.note_key)
        if row.note_key == "unavailable":
            note = f"unavailable: {(params or {}).get('name_zh', '')}"
        conn.execute(sa.text("UPDATE wallet_entries SET note = :n WHERE id = :id"), {"n": note, "id": row.id})
    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.drop_column('note_params')
        batch_op.drop_column('note_key')
    conn.execute(sa.text("UPDATE stores SET address = address || ' (' || address_en || ')' WHERE address_en <> ''"))
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_column('address_en')
    for table in ('users', 'stores', 'merchants'):
        conn.execute(sa.text(f"UPDATE {table} SET name = name || ' ' || name_en WHERE name_en <> ''"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('name_en')
    for table, length in (('buildings', 120), ('delivery_zones', 80), ('parcel_carriers', 40)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name', sa.String(length=length), server_default='', nullable=False))
        conn.execute(sa.text(f"UPDATE {table} SET name = CASE WHEN name_zh <> '' AND name_en <> '' "
                             f"AND {'1 = 0' if table == 'buildings' else '1 = 1'} "
                             f"THEN name_zh || ' ' || name_en WHEN name_zh <> '' THEN name_zh ELSE name_en END"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(f'uq_{table}_store_id_name', ['store_id', 'name'])
            batch_op.drop_column('name_en')
            batch_op.drop_column('name_zh')
