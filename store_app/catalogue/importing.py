"""Importing products from a CSV file: good lines are created or updated (matched by barcode), bad
lines are reported with their line number; each line is saved whole or not at all (a savepoint)."""
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from . import csv_rules, errors, operations, rules, stock
from .models import Product, StockMovement

NOTE = "CSV"


@dataclass
class ImportReport:
    """What an import did: counts, and ``[(line, [message, ...]), ...]`` for the lines it refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)

    @property
    def saved(self):
        return self.created + self.updated + self.unchanged


class _LineRefused(Exception):
    def __init__(self, code, params=None):
        super().__init__(code)
        self.code, self.params = code, params or {}


class _Lookup:
    """Categories by slug or either name, merchants by name (case-insensitive), of one store."""

    def __init__(self, store):
        self.store = store
        self.categories = {}
        for category in operations.list_categories(store.id):
            for key in (category.slug, category.name_zh, category.name_en):
                self.categories.setdefault(key.strip().lower(), category)
        self.merchants = {m.name.strip().lower(): m for m in operations.list_merchants(store.id)}
        self.own = None  # the store's own merchant, made before any line's savepoint (see below)

    def category(self, text):
        found = self.categories.get(text.strip().lower())
        if found is None:
            known = ", ".join(sorted({c.slug for c in self.categories.values()})) or "-"
            raise _LineRefused("category_unknown", {"value": text[:40], "known": known})
        return found

    def merchant(self, text):
        if not text.strip():
            return self.own
        found = self.merchants.get(text.strip().lower())
        if found is None:
            known = ", ".join(sorted(m.name for m in self.merchants.values())) or "-"
            raise _LineRefused("merchant_unknown", {"value": text[:40], "known": known})
        return found


def _create(store, row, category, merchant, actor_id, now):
    product = Product(store_id=store.id, barcode=row.barcode, name_zh=row.name_zh, name_en=row.name_en,
                      category_id=category.id, merchant_id=merchant.id, price_cents=row.price_cents,
                      stock=row.stock, is_active=True, created_at=now, updated_at=now)
    db.session.add(product)
    db.session.flush()
    if row.stock:
        db.session.add(StockMovement(store_id=store.id, product_id=product.id, delta=row.stock, note=NOTE,
                                     reason=rules.StockReason.RESTOCK.value, actor_id=actor_id,
                                     created_at=now))
    return "created"


def _update(store, product, row, category, merchant, actor_id, now):
    wanted = {"name_zh": row.name_zh, "name_en": row.name_en, "category_id": category.id,
              "merchant_id": merchant.id, "price_cents": row.price_cents}
    changed = {key: value for key, value in wanted.items() if getattr(product, key) != value}
    for key, value in changed.items():
        setattr(product, key, value)
    if changed:
        product.updated_at = now
        db.session.flush()
    stock_changed = product.stock != row.stock
    if not stock.set_counted_stock(store.id, product.id, product.stock, row.stock, actor_id, now, NOTE):
        raise _LineRefused("stock_changed")
    return "updated" if changed or stock_changed else "unchanged"


def _save_row(store, row, lookup, actor_id, now):
    category, merchant = lookup.category(row.category), lookup.merchant(row.merchant)
    product = db.session.scalar(db.select(Product).where(Product.store_id == store.id,
                                                         Product.barcode == row.barcode))
    if product is None:
        return _create(store, row, category, merchant, actor_id, now)
    return _update(store, product, row, category, merchant, actor_id, now)


def import_products(store, text, actor_id, now):
    """Import the CSV ``text`` into the store's catalogue; ``ImportRefused`` if the file is unusable.

    ``stock`` is the count on the shelf now: for a known product the difference is recorded as a
    count correction (compare-and-set, so a sale in between is never overwritten).
    """
    try:
        parsed = csv_rules.parse_product_csv(text)
    except csv_rules.CsvFileError as exc:
        raise errors.ImportRefused(exc.code, exc.params) from exc
    report = ImportReport()
    problems = {p.line: [errors.row_message(code, params) for code, params in p.problems]
                for p in parsed.problems}
    lookup = _Lookup(store)
    if any(not row.merchant for row in parsed.rows):
        # Outside every line's savepoint: a refused line must not roll back a merchant others use.
        lookup.own = operations.ensure_store_merchant(store)
    for row in parsed.rows:
        try:
            with db.session.begin_nested():
                outcome = _save_row(store, row, lookup, actor_id, now)
        except _LineRefused as exc:
            problems[row.line] = [errors.row_message(exc.code, exc.params)]
            continue
        except IntegrityError:  # e.g. the barcode was taken by another import a moment ago
            problems[row.line] = [errors.row_message("not_saved", {})]
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.problems = sorted(problems.items())
    return report


def import_file_text(data):
    """Decoded text of an uploaded CSV (UTF-8 or GB18030), or ``ImportRefused``."""
    try:
        return csv_rules.decode_csv(data)
    except csv_rules.CsvFileError as exc:
        raise errors.ImportRefused(exc.code) from exc
