"""The resident's shop: the ranked feed (``/shop``: search, category chips, buy again, infinite
scroll) and the product page, each with the delivery promise for the resident's address."""
import secrets

from flask import Blueprint, abort, current_app, get_template_attribute, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..caching import cache
from ..catalogue import operations, presenters
from ..catalogue import rules as catalogue_rules
from ..database import utcnow
from ..deliveries import operations as deliveries
from ..roles import Role
from ..stores.presenters import store_status
from ..web.guards import role_required
from ..web.i18n import current_language
from ..web.page_cache import per_session_page
from ..web.params import db_int
from . import feed as feed_ops
from . import review_queries

bp = Blueprint("shop", __name__)


def _feed_args():
    """The feed's filters from the query string, cleaned: search words, category, buy-again, page."""
    store_id = current_user.store_id
    category = operations.get_category(store_id, request.args.get("category"))
    return {
        "query": request.args.get("q", "").strip()[:60],
        "category": category,
        "buy_again": request.args.get("view") == "again",
        "page": min(max(1, request.args.get("page", 1, type=db_int) or 1), feed_ops.MAX_PAGE),
    }


def feed_url(query="", category=None, buy_again=False, page=1):
    """The feed's address with these filters (empty ones left out)."""
    return url_for("shop.feed", q=query or None, category=category.id if category else None,
                   view="again" if buy_again else None, page=page if page > 1 else None)


def _quote(store, address, now):
    """Can we deliver to the resident's default address right now? None without an address."""
    if address is None:
        return None
    return deliveries.quote(store, (address.building.lat, address.building.lon), item_count=1, now=now)


# The first cards of the first page are above the fold on a phone: their pictures are not lazy.
EAGER_CARDS = 4


def _items(cards, categories, lang, page):
    """The cards' values; ``rating`` is the product's review summary once it shows an average, else None."""
    by_id = {c.id: c for c in categories}
    ratings = review_queries.rating_summaries([card.product.id for card in cards])
    return [{"product": card.product, "reason": presenters.reason_text(card.ranked, by_id, lang),
             "due": card.ranked.due, "eager": page == 1 and index < EAGER_CARDS,
             "rating": _shown(ratings.get(card.product.id))}
            for index, card in enumerate(cards)]


def _shown(summary):
    return summary if summary is not None and summary.shown else None


# Stand-ins for the viewer's parts of a card, put back per request (random: no product text can hold them).
_HERE, _CSRF = f"feedhere{secrets.token_hex(8)}", f"feedcsrf{secrets.token_hex(8)}"


def render_cards(items, lang, here):
    """The feed cards' HTML. A card is rendered once per product version, language and reason and kept
    ``FEED_CARD_TTL_S`` per worker with stand-ins for the page to come back to and the CSRF token,
    which are put back for this viewer (their values escaped as the template would)."""
    macro = get_template_attribute("shop/_feed_card.html", "feed_card")
    cards = cache("feed_cards", max_entries=4096)
    ttl = current_app.config["FEED_CARD_TTL_S"]
    here_html, csrf_html = str(escape(here)), str(escape(generate_csrf()))
    out = []
    for item in items:
        product = item["product"]
        key = (product.id, product.updated_at, lang, item["reason"], item["due"], item["eager"], item["rating"])
        html = cards.get(key)
        if html is None:
            html = str(macro(item, lang, _HERE, _CSRF))
            cards.set(key, html, ttl, size=len(html))
        out.append(Markup(html.replace(_HERE, here_html).replace(_CSRF, csrf_html)))
    return out


@bp.get("/shop")
@per_session_page
@role_required(Role.RESIDENT)
def feed():
    """The resident's home: where we deliver, the promise, and the ranked feed (search, chips, paging).

    ``?fragment=1`` answers only the cards and the next "More" link, for infinite scrolling.
    """
    store, now, lang, args = current_user.store, utcnow(), current_language(), _feed_args()
    page = feed_ops.load_feed(store.id, current_user.id, now, query=args["query"],
                              category_id=args["category"].id if args["category"] else None,
                              buy_again=args["buy_again"], page=args["page"])
    categories = feed_ops.list_feed_categories(store.id)
    filters = {k: args[k] for k in ("query", "category", "buy_again")}
    here = feed_url(**filters, page=args["page"])
    context = {
        "cards": render_cards(_items(page.cards, categories, lang, page.page), lang, here), "lang": lang,
        "feed_page": page, "here": here,
        "next_url": feed_url(**filters, page=args["page"] + 1) if page.has_next else None,
    }
    if request.args.get("fragment") == "1":
        return render_template("shop/_feed_page.html", **context)
    address = current_user.default_address()
    return render_template(
        "shop/feed.html", **context, **args, store=store, status=store_status(store, now), address=address,
        quote=_quote(store, address, now), categories=categories, feed_url=feed_url,
        show_buy_again=feed_ops.has_purchases(store.id, current_user.id))


@bp.get("/products/<int:product_id>")
@role_required(Role.RESIDENT)
def product_page(product_id):
    """One product: photo, price, who prepares it, stock, the resident's habit with it, the promise,
    and its visible reviews with the store's replies (the average once there are enough)."""
    store, now, lang = current_user.store, utcnow(), current_language()
    product = operations.get_product(store.id, product_id)
    if product is None or not product.is_active:
        abort(404)
    purchases = [p for p in feed_ops.load_purchases(store.id, current_user.id, now)
                 if p.product_id == product.id]
    habit = catalogue_rules.habits(purchases).get(product.id)
    address = current_user.default_address()
    return render_template("shop/product.html", product=product, lang=lang, habit=habit, now=now,
                           address=address, quote=_quote(store, address, now),
                           max_quantity=max(0, min(product.stock, 10)),
                           rating=review_queries.rating_summary(product.id),
                           reviews=review_queries.list_visible_for_product(product.id))
