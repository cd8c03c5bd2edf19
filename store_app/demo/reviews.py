"""The demo's reviews: residents who received the most-bought goods rate them, so the feed shows an
average on a few cards, and rate a few orders; staff hide one and reply to another, so the console
has every state to show. Idempotent (one review per purchase) and deterministic (seeded choices)."""
import random
from datetime import timedelta
from itertools import zip_longest

from ..accounts.models import User
from ..extensions import db
from ..orders import reviews as review_ops
from ..orders.models import Order, OrderItem, OrderStatus
from ..orders.review_models import OrderReview, ProductReview
from ..roles import Role

# How many products get reviews, and by how many of their buyers at most.
REVIEWED_PRODUCTS = 3
REVIEWS_PER_PRODUCT = 8
ORDER_REVIEWS = 6
# (rating, words): what neighbours write, in the language they write it in (shown as written).
WORDS = [
    (5, "很新鲜，送得也快。"), (5, "Always fresh, and the courier was quick."), (4, "不错，下次还买。"),
    (4, "Good value for the price."), (5, ""), (3, "还可以，包装有点压扁了。"), (4, ""),
    (5, "孩子很喜欢。"), (2, "Arrived a bit warm."), (4, "和超市里的一样，方便多了。"),
]
HIDE_REASON = "含有快递员的个人信息"
REPLY = "谢谢您的反馈！我们已经提醒店员注意包装。"


def _most_bought(store):
    """``[(product_id, [(order_id, user_id), ...])]``: the goods most residents received (then most
    often), each with its purchases taken in turn from each buyer, latest first: a neighbour who buys
    milk every few days reviews more than one delivery, as one review per purchase allows."""
    rows = db.session.execute(
        db.select(OrderItem.product_id, Order.id, Order.user_id)
        .join(Order, OrderItem.order_id == Order.id)
        .where(Order.store_id == store.id, Order.status == OrderStatus.DELIVERED.value,
               OrderItem.unavailable.is_(False))
        .order_by(Order.placed_at.desc(), Order.id.desc())).all()
    buyers = {}
    for product_id, order_id, user_id in rows:
        buyers.setdefault(product_id, {}).setdefault(user_id, []).append(order_id)
    ranked = sorted(buyers.items(), key=lambda kv: (-len(kv[1]), -sum(map(len, kv[1].values())), kv[0]))
    chosen = []
    for product_id, by_user in ranked:
        turns = [[(order_id, user_id) for order_id in orders] for user_id, orders in sorted(by_user.items())]
        purchases = [p for round_ in zip_longest(*turns) for p in round_ if p is not None]
        if len(purchases) >= 5:
            chosen.append((product_id, purchases))
    return chosen[:REVIEWED_PRODUCTS]


def _staff(store):
    return db.session.scalar(db.select(User).where(User.store_id == store.id, User.role == Role.STAFF.value)
                             .order_by(User.id).limit(1))


def seed_reviews(store, now):
    """Reviews of the most-bought demo goods and of a few orders; returns how many were added."""
    rng = random.Random(20261206)
    existing = set(db.session.execute(db.select(ProductReview.order_id, ProductReview.product_id)).all())
    reviewed_orders = set(db.session.scalars(db.select(OrderReview.order_id)))
    added = 0
    for index, (product_id, purchases) in enumerate(_most_bought(store)):
        for n, (order_id, user_id) in enumerate(purchases[:REVIEWS_PER_PRODUCT]):
            if (order_id, product_id) in existing:
                continue
            rating, text = WORDS[(index * 3 + n) % len(WORDS)]
            review = review_ops.review_product(db.session.get(User, user_id), order_id, product_id, rating, text,
                                               now - timedelta(hours=rng.randint(1, 72)))
            added += 1
            if rating <= 2 and (staff := _staff(store)) is not None:
                review_ops.reply_to_review(staff, review.kind, review.id, REPLY, now)
    orders = db.session.execute(db.select(Order.id, Order.user_id).where(
        Order.store_id == store.id, Order.status == OrderStatus.DELIVERED.value)
        .order_by(Order.placed_at.desc(), Order.id.desc()).limit(ORDER_REVIEWS)).all()
    for n, (order_id, user_id) in enumerate(orders):
        if order_id in reviewed_orders:
            continue
        rating, text = WORDS[(n * 7) % len(WORDS)]
        review = review_ops.review_order(db.session.get(User, user_id), order_id, rating, text, now,
                                         delivery_rating=5 - n % 2)
        added += 1
        if n == ORDER_REVIEWS - 1 and (staff := _staff(store)) is not None:
            review_ops.hide_review(staff, review.kind, review.id, HIDE_REASON, now)
    db.session.flush()
    return {"reviews": added}
