"""The migration to names per language splits the one-field names and turns the app's English notes
and sizes into keys, on SQLite and on PostgreSQL (a fresh database, as in ``test_migrations``)."""
import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from store_app.extensions import db

from test_migrations import (  # noqa: F401 -- its fixtures (tests/integration is not a package)
    fresh_app, postgres_database, postgres_url, restore_logging, sqlite_url)

BEFORE = "9b1f3c2d4e5a"
NOW = "2026-12-06 10:00:00+00:00"

ROWS = [
    ("INSERT INTO stores (id, name, address, lat, lon, timezone, phone, promise_minutes, created_at) "
     "VALUES (1, '邻里便利店 Neighbourhood Store', '宜山路 455 号 (455 Yishan Rd)', 31.2, 121.4, 'Asia/Shanghai', "
     "'', 30, :now)"),
    ("INSERT INTO buildings (id, store_id, name, aliases, search_text, lat, lon, entrance_note, created_at) "
     "VALUES (1, 1, '莲花苑 1号楼', 'Lotus Garden Building 1\n1号楼', 'x', 31.2, 121.4, '', :now)"),
    ("INSERT INTO buildings (id, store_id, name, aliases, search_text, lat, lon, entrance_note, created_at) "
     "VALUES (2, 1, 'Maple House', '', 'maple house', 31.2, 121.4, '', :now)"),
    ("INSERT INTO delivery_zones (id, store_id, name, geojson, fee_cents, minimum_cents, enabled, priority, "
     "updated_at) VALUES (1, 1, '近区 Inner', '{}', 300, 2000, TRUE, 10, :now)"),
    "INSERT INTO parcel_carriers (id, store_id, name, position) VALUES (1, 1, '顺丰速运 SF Express', 0)",
    ("INSERT INTO users (id, store_id, phone, name, password_hash, role, session_version, is_enabled, created_at) "
     "VALUES (1, 1, '+8613800138010', '张伟 Zhang Wei', 'x', 'courier', 1, TRUE, :now)"),
    ("INSERT INTO users (id, store_id, phone, name, password_hash, role, session_version, is_enabled, created_at) "
     "VALUES (2, 1, '+8613900139010', 'Emma Clark', 'x', 'resident', 1, TRUE, :now)"),
    ("INSERT INTO merchants (id, store_id, name, kind, lat, lon, phone, opens_min, closes_min, prep_minutes) "
     "VALUES (1, 1, '麦香烘焙 Wheat Aroma Bakery', 'bakery', 31.2, 121.4, '', 0, 1440, 5)"),
    ("INSERT INTO categories (id, store_id, slug, name_zh, name_en, position) "
     "VALUES (1, 1, 'bakery', '烘焙', 'Bakery', 0)"),
    ("INSERT INTO products (id, store_id, merchant_id, category_id, name_zh, name_en, price_cents, stock, "
     "unit_label, is_active, created_at, updated_at) VALUES "
     "(1, 1, 1, 1, '蛋挞', 'Egg Tarts', 1600, 5, '4 pieces', TRUE, :now, :now), "
     "(2, 1, 1, 1, '怪', 'Odd', 100, 5, 'a handful', TRUE, :now, :now)"),
    ("INSERT INTO wallet_entries (id, user_id, store_id, amount_cents, reason, note, created_at) VALUES "
     "(1, 2, 1, 500, 'refund', 'order cancelled', :now), (2, 2, 1, 800, 'refund', 'unavailable: 法棍', :now), "
     "(3, 2, 1, 1000, 'topup', 'cash at the counter', :now)"),
    ("INSERT INTO parcels (id, store_id, tracking_number, carrier, recipient_phone, recipient_name, size, note, "
     "status, code_misses, checked_in_at, fee_cents) VALUES "
     "(1, 1, 'SF1', '顺丰速运 SF Express', '+8613900139010', '', 'small', '', 'waiting', 0, :now, 0)"),
]


def rows(sql):
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def test_one_field_names_are_split_and_notes_become_keys(fresh_app):  # noqa: F811 -- the imported fixture
    with fresh_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            for sql in ROWS:
                conn.execute(text(sql), {"now": NOW} if ":now" in sql else {})
        upgrade()

        assert rows("SELECT id, name_zh, name_en FROM buildings ORDER BY id") == [
            (1, "莲花苑 1号楼", "Lotus Garden Building 1"), (2, "", "Maple House")]
        assert rows("SELECT name_zh, name_en FROM delivery_zones") == [("近区", "Inner")]
        assert rows("SELECT name_zh, name_en FROM parcel_carriers") == [("顺丰速运", "SF Express")]
        assert rows("SELECT carrier FROM parcels") == [("顺丰速运",)]
        assert rows("SELECT name, name_en FROM users ORDER BY id") == [("张伟", "Zhang Wei"), ("Emma Clark", "")]
        assert rows("SELECT name, name_en, address, address_en FROM stores") == [
            ("邻里便利店", "Neighbourhood Store", "宜山路 455 号", "455 Yishan Rd")]
        assert rows("SELECT name, name_en FROM merchants") == [("麦香烘焙", "Wheat Aroma Bakery")]
        assert rows("SELECT unit_label FROM products ORDER BY id") == [("4 piece",), ("a handful",)]
        entries = rows("SELECT note, note_key, note_params FROM wallet_entries ORDER BY id")
        assert [(note, key) for note, key, _ in entries] == [
            ("", "order_cancelled"), ("", "unavailable"), ("cash at the counter", None)]
        params = entries[1][2]
        assert (params if isinstance(params, dict) else json.loads(params)) == {"name_zh": "法棍", "name_en": ""}

        downgrade(revision=BEFORE)
        assert rows("SELECT name FROM delivery_zones") == [("近区 Inner",)]
        assert rows("SELECT address FROM stores") == [("宜山路 455 号 (455 Yishan Rd)",)]
        assert rows("SELECT name FROM users ORDER BY id") == [("张伟 Zhang Wei",), ("Emma Clark",)]
        assert rows("SELECT note FROM wallet_entries ORDER BY id") == [
            ("order cancelled",), ("unavailable: 法棍",), ("cash at the counter",)]
