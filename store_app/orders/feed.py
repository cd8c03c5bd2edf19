"""The resident's feed: load plain values (the store's sales, the resident's purchases, the
candidate products), rank them with the catalogue's pure ``rules.rank_feed``, then load the
products of one page. Read-only."""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import joinedload

from ..caching import cache
from ..catalogue import rules, search_rules
from ..catalogue.models import Category, Product
from ..catalogue.operations import search_matches
from ..extensions import db
from .models import Order, OrderItem, OrderStatus

PAGE_SIZE = 20
MAX_PAGE = 100
# Eight half-lives: an older sale would weigh less than 1/256.
SALES_WINDOW_DAYS = 56
HABIT_WINDOW_DAYS = 180
# Orders whose goods never reached anyone do not tell us what people like.
NOT_COUNTED = (OrderStatus.CANCELLED.value,)


@dataclass(frozen=True)
class FeedCard:
    """A product on the feed and why it is there."""

    product: Product
    ranked: rules.Ranked


@dataclass(frozen=True)
class FeedPage:
    """One page of the feed."""

    cards: list
    page: int
    total: int
    per_page: int

    @property
    def has_next(self):
        return self.page * self.per_page < self.total and self.page < MAX_PAGE


def load_sales(store_id, now, window_days=SALES_WINDOW_DAYS):
    """The store's sales of the last ``window_days`` (non-cancelled orders) as ``rules.Sale``."""
    rows = db.session.execute(
        db.select(OrderItem.product_id, OrderItem.quantity, Order.placed_at)
        .join(Order, OrderItem.order_id == Order.id)
        .where(Order.store_id == store_id, Order.status.not_in(NOT_COUNTED),
               Order.placed_at >= now - timedelta(days=window_days))).all()
    return [rules.Sale(pid, qty, at) for pid, qty, at in rows]


def store_popularity(store_id, now):
    """``rules.normalised_popularity`` of the store's recent sales.

    Shared by every resident's feed, so a worker keeps it ``FEED_POPULARITY_TTL_S`` (config): the
    last minute's sales count a little later; the resident's own habits are always read fresh.
    """
    popularity = cache("store_popularity", max_entries=256)
    popular = popularity.get(store_id)
    if popular is None:
        popular = rules.normalised_popularity(rules.popularity(load_sales(store_id, now), now))
        popularity.set(store_id, popular, current_app.config["FEED_POPULARITY_TTL_S"])
    return popular


def load_purchases(store_id, user_id, now, window_days=HABIT_WINDOW_DAYS):
    """The resident's own purchases (one per order and product) as ``rules.Purchase``."""
    if user_id is None:
        return []
    rows = db.session.execute(
        db.select(OrderItem.product_id, Product.category_id, Order.placed_at)
        .join(Order, OrderItem.order_id == Order.id).join(Product, OrderItem.product_id == Product.id)
        .where(Order.store_id == store_id, Order.user_id == user_id, Order.status.not_in(NOT_COUNTED),
               Order.placed_at >= now - timedelta(days=window_days))).all()
    return [rules.Purchase(pid, cat, at) for pid, cat, at in rows]


def sellable():
    """Products a resident can put in the cart: active and in stock."""
    return db.and_(Product.is_active.is_(True), Product.stock > 0)


def list_candidates(store_id, query="", category_id=None):
    """The store's sellable products matching the search and category, as ``rules.Candidate``, and
    ``{product id: match rank}`` for a search (None without one)."""
    conditions = [Product.store_id == store_id, sellable()]
    if category_id is not None:
        conditions.append(Product.category_id == category_id)
    matches = search_matches(query, *conditions) if search_rules.search_words(query) else None
    if matches is not None:
        conditions.append(Product.id.in_(list(matches)))
    stmt = db.select(Product.id, Product.category_id).where(*conditions)
    return [rules.Candidate(pid, cat) for pid, cat in db.session.execute(stmt).all()], matches


def load_feed(store_id, user_id, now, *, query="", category_id=None, buy_again=False, page=1,
              per_page=PAGE_SIZE):
    """One page of the resident's ranked feed; ``buy_again`` keeps only what they bought before.

    A search lists the best matches first (``search_rules``), in the feed's order within each rank.
    """
    page = min(max(1, page), MAX_PAGE)
    candidates, matches = list_candidates(store_id, query, category_id)
    purchases = load_purchases(store_id, user_id, now)
    if buy_again:
        bought = {p.product_id for p in purchases}
        candidates = [c for c in candidates if c.product_id in bought]
    ranked = rules.rank_with_popularity(candidates, store_popularity(store_id, now), purchases, now)
    if matches is not None:
        by_id = {r.product_id: r for r in ranked}
        ranked = [by_id[pid] for pid in search_rules.order_by_match(matches, list(by_id))]
    chosen = ranked[(page - 1) * per_page:page * per_page]
    products = {p.id: p for p in db.session.scalars(
        db.select(Product).where(Product.id.in_([r.product_id for r in chosen]))
        .options(joinedload(Product.merchant), joinedload(Product.category)))} if chosen else {}
    cards = [FeedCard(products[r.product_id], r) for r in chosen if r.product_id in products]
    return FeedPage(cards, page, len(ranked), per_page)


def list_feed_categories(store_id):
    """Categories that have something to sell right now, in shelf order (for the filter chips)."""
    has_goods = db.select(Product.id).where(Product.category_id == Category.id, sellable()).exists()
    return db.session.scalars(db.select(Category).where(Category.store_id == store_id, has_goods)
                              .order_by(Category.position, Category.id)).all()


def has_purchases(store_id, user_id):
    """Whether the resident has ever had an order delivered or under way (for the 'Buy again' chip)."""
    found = db.session.scalar(db.select(Order.id).where(
        Order.store_id == store_id, Order.user_id == user_id, Order.status.not_in(NOT_COUNTED)).limit(1))
    return found is not None
