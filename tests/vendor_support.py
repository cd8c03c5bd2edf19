"""Helpers for the vendor tests: a store's zones and categories, document files, and an
application made through the operation (so the login, the vendor and its files are real)."""
import io
import json
from datetime import datetime, timezone

from werkzeug.datastructures import FileStorage

from services import categories, documents, vendor_setup
from store_app.extensions import db
from store_app.geo.models import DeliveryZone
from tests.conftest import PASSWORD, new_phone, square_zone
from tests.photo_files import photo_bytes

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Shanghai
USCC = "91350100M000100Y43"
RIC = "11010519491231002X"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def add_zone(store_id, name_zh="莲花苑片区", name_en="Lotus Garden area"):
    zone = DeliveryZone(store_id=store_id, name_zh=name_zh, name_en=name_en,
                        geojson=json.dumps(square_zone(31.2, 121.4, 0.01)))
    db.session.add(zone)
    db.session.flush()
    return zone


def setup_store(store_id):
    """The store's five default categories and one zone: ``(categories, zone)``."""
    categories.ensure_default_categories(store_id)
    return categories.list_categories(store_id), add_zone(store_id)


def upload(data, name="file.bin"):
    return FileStorage(stream=io.BytesIO(data), filename=name)


def read(data, field="licence"):
    """A checked document (needs an app context)."""
    return documents.read_document(upload(data), field)


def apply_company(store_id, *, name="洁净家政", phone=None, now=NOW, category_ids=None, zone_ids=None):
    """An application by a new company login (a PDF licence), through the operation."""
    cats, zone = categories.list_categories(store_id), None
    if zone_ids is None:
        zone = db.session.scalar(db.select(DeliveryZone).where(DeliveryZone.store_id == store_id)) or add_zone(store_id)
    return vendor_setup.apply(
        store_id, name=name, kind="company", id_number=USCC, phone=phone or new_phone(), password=PASSWORD,
        category_ids=category_ids or [cats[0].id], zone_ids=zone_ids or [zone.id],
        files={"licence": read(PDF)}, now=now)


__all__ = ["PASSWORD", "photo_bytes"]
