"""The cart: lines per resident, priced and checked on the server every time it is shown."""
from dataclasses import dataclass

from sqlalchemy.orm import contains_eager

from ..catalogue.errors import OutOfStock
from ..catalogue.models import Product
from ..database import upsert
from ..extensions import db
from . import errors, queries, rules
from .models import CartItem


def _product(store_id, product_id):
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(db.select(Product).where(Product.id == product_id, Product.store_id == store_id))


def add_to_cart(user, product_id, quantity=1, voice_order_id=None, *, now):
    """Add ``quantity`` of a product of the user's store (or more of it, up to the stock and the
    maximum); returns the line's new quantity.

    One statement whether the line exists or not (INSERT ... ON CONFLICT DO UPDATE), so a double
    tap of "Add" adds twice and never fails on the (user, product) unique key. A line that came
    from a voice order stays marked as such.
    """
    product = _product(user.store_id, product_id)
    if product is None or not product.is_active:
        raise errors.ProductNotFound(product_id)
    if not 1 <= quantity <= rules.MAX_QUANTITY:
        raise errors.QuantityInvalid(quantity)
    if product.stock <= 0:
        raise OutOfStock(product.name_zh)
    cap = min(rules.MAX_QUANTITY, product.stock)
    table = CartItem.__table__
    added = table.c.quantity + quantity
    stmt = upsert(table).values(user_id=user.id, product_id=product.id, quantity=min(quantity, cap),
                                seen_price_cents=product.price_cents, voice_order_id=voice_order_id,
                                added_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.product_id],
        set_={"quantity": db.case((added > cap, cap), else_=added),
              "seen_price_cents": stmt.excluded.seen_price_cents}).returning(table.c.quantity)
    return db.session.execute(stmt).scalar_one()


def add_order_again(user, order_id, now):
    """Put the lines of one of the resident's orders back in the cart (再来一单), each as
    ``add_to_cart`` adds it (capped by today's stock); returns ``(added, missing)``: the order's items
    that went in, and those the store no longer has. ``errors.OrderNotFound`` for someone else's."""
    order = queries.get_order_for_user(user, order_id)
    if order is None:
        raise errors.OrderNotFound(order_id)
    added, missing = [], []
    for item in order.items:
        try:
            add_to_cart(user, item.product_id, min(item.quantity, rules.MAX_QUANTITY), now=now)
        except (errors.ProductNotFound, OutOfStock):  # checked before anything is written
            missing.append(item)
        else:
            added.append(item)
    return added, missing


def set_quantity(user, product_id, quantity):
    """Set a line's quantity; 0 removes it. Unknown lines are ignored for 0, refused otherwise."""
    line = db.session.scalar(db.select(CartItem).where(CartItem.user_id == user.id,
                                                       CartItem.product_id == product_id))
    if quantity == 0:
        if line is not None:
            db.session.delete(line)
            db.session.flush()
        return None
    if line is None:
        raise errors.ProductNotFound(product_id)
    if not 1 <= quantity <= rules.MAX_QUANTITY:
        raise errors.QuantityInvalid(quantity)
    line.quantity = quantity
    line.seen_price_cents = line.product.price_cents
    db.session.flush()
    return line


def clear_cart(user_id):
    """Empty the cart (after an order is placed)."""
    db.session.execute(db.delete(CartItem).where(CartItem.user_id == user_id))


def count_items(user_id):
    """How many items (sum of quantities) are in the cart."""
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(CartItem.quantity), 0))
                             .where(CartItem.user_id == user_id))


@dataclass
class CartView:
    """A cart as the pages show it: lines with their problems, and the goods' subtotal."""

    lines: list
    problems: dict
    subtotal_cents: int

    @property
    def item_count(self):
        return sum(line.quantity for line in self.lines)

    @property
    def ok(self):
        return bool(self.lines) and not self.problems


def load_cart(user):
    """The user's cart with fresh prices and stock, and what is wrong with each line."""
    # The join also loads each line's product (no query per line).
    lines = db.session.scalars(db.select(CartItem).where(CartItem.user_id == user.id)
                               .join(CartItem.product).options(contains_eager(CartItem.product))
                               .order_by(CartItem.added_at, CartItem.id)).all()
    problems = {}
    for line in lines:
        problem = rules.line_problem(rules.CartLine(
            line.product_id, line.quantity, line.seen_price_cents, line.product.price_cents,
            line.product.stock, line.product.is_active))
        if problem:
            problems[line.product_id] = problem
    subtotal = sum(line.product.price_cents * line.quantity for line in lines
                   if problems.get(line.product_id) not in (rules.SOLD_OUT, rules.UNAVAILABLE))
    return CartView(lines, problems, subtotal)


def acknowledge_changes(user):
    """The resident has seen the new prices: remember them, and trim quantities to the stock."""
    for line in load_cart(user).lines:
        line.seen_price_cents = line.product.price_cents
        if 0 < line.product.stock < line.quantity:
            line.quantity = line.product.stock
    db.session.flush()
