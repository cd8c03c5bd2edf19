"""Stock: taken for a sale, put back when goods come back, adjusted and counted by staff. Every
change is one conditional UPDATE (never read-then-write) and a ``StockMovement`` with its reason.
They add and flush; the caller's ``transaction()`` commits."""
from ..errors import ValueTooLong
from ..extensions import db
from . import errors, rules
from .models import Product, StockMovement

NOTE_MAX = 200  # as the column


def take_stock(store_id, lines, *, order_id, actor_id, now):
    """Take ``[(product, quantity)]`` off the shelf for order ``order_id``: a conditional UPDATE per
    product in product-id order (two carts never wait on each other in a circle), then the sale
    movements. ``OutOfStock`` (the product's name) for the first one short or off sale; the caller's
    transaction then rolls everything back."""
    movements = []
    for product, quantity in sorted(lines, key=lambda line: line[0].id):
        taken = db.session.execute(
            db.update(Product).where(Product.id == product.id, Product.store_id == store_id,
                                     Product.stock >= quantity, Product.is_active.is_(True))
            .values(stock=Product.stock - quantity, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not taken:
            raise errors.OutOfStock(product.name_zh)
        movements.append(dict(store_id=store_id, product_id=product.id, delta=-quantity, reason="sale", note="",
                              actor_id=actor_id, order_id=order_id, created_at=now))
    if movements:
        db.session.execute(db.insert(StockMovement), movements)


def restore_stock(store_id, lines, *, order_id, actor_id, now, reason="cancel"):
    """Put ``[(product_id, quantity)]`` of order ``order_id`` back on the shelf (a cancelled order, a
    failed delivery), in product-id order like ``take_stock``, each with its movement."""
    for product_id, quantity in sorted(lines):
        db.session.execute(db.update(Product).where(Product.id == product_id, Product.store_id == store_id)
                           .values(stock=Product.stock + quantity)
                           .execution_options(synchronize_session=False))
        db.session.add(StockMovement(store_id=store_id, product_id=product_id, delta=quantity, reason=reason,
                                     actor_id=actor_id, order_id=order_id, created_at=now))
    db.session.flush()


def adjust_stock(store_id, product_id, delta, reason, note, actor_id, now):
    """Add ``delta`` (negative: take away) to a product's stock with a reason; returns the new stock.

    One conditional UPDATE (``stock + delta >= 0``), never read-then-write, so two counters at once
    can never take the stock below zero; a refused change leaves everything as it was.
    """
    problem = rules.adjustment_problem(delta, reason)
    if problem:
        raise errors.AdjustmentInvalid(problem)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValueTooLong("note", NOTE_MAX)
    new_stock = db.session.scalar(
        db.update(Product)
        .where(Product.id == product_id, Product.store_id == store_id, Product.stock + delta >= 0)
        .values(stock=Product.stock + delta, updated_at=now).returning(Product.stock))
    if new_stock is None:
        current = db.session.scalar(db.select(Product.stock).where(Product.id == product_id,
                                                                   Product.store_id == store_id))
        if current is None:
            raise errors.ProductNotFound(product_id)
        raise errors.StockWouldGoNegative(current, delta)
    db.session.add(StockMovement(store_id=store_id, product_id=product_id, delta=delta, reason=reason,
                                 note=note, actor_id=actor_id, created_at=now))
    db.session.flush()
    return new_stock


def set_counted_stock(store_id, product_id, expected, counted, actor_id, now, note=""):
    """Set stock to a counted number if it is still ``expected`` (compare-and-set); False if it moved."""
    if expected == counted:
        return True
    changed = db.session.execute(
        db.update(Product)
        .where(Product.id == product_id, Product.store_id == store_id, Product.stock == expected)
        .values(stock=counted, updated_at=now)).rowcount
    if not changed:
        return False
    db.session.add(StockMovement(store_id=store_id, product_id=product_id, delta=counted - expected,
                                 reason=rules.StockReason.COUNT_CORRECTION.value, note=note,
                                 actor_id=actor_id, created_at=now))
    db.session.flush()
    return True


def list_movements(store_id, product_id, limit=10):
    """The latest stock movements of a product, newest first."""
    return db.session.scalars(db.select(StockMovement).where(
        StockMovement.store_id == store_id, StockMovement.product_id == product_id)
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc()).limit(limit)).all()
