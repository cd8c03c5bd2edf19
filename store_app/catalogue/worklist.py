"""The catalogue's line on the owner's work list: products on sale with nothing left in stock."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..web.worklist import OWNER, WorkItem
from .models import Product


def work_items(store, now):
    """Active products whose stock is zero (residents cannot buy them); no age: stock keeps no time."""
    out = db.session.scalar(db.select(db.func.count()).where(
        Product.store_id == store.id, Product.is_active.is_(True), Product.stock <= 0))
    return [WorkItem("catalogue:stock_out", _l("Products out of stock"), out,
                     url_for("catalogue.products", stock="out"), _l("Restock products"), None,
                     level=OWNER, order=25)]
