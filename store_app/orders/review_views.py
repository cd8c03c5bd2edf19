"""The resident's reviews (``reviews`` blueprint): rate a delivered or collected order and each of its
products, once. The order page shows the way here (``orders/_reviews.html`` reads the template global
registered below). Another resident's order answers 404, like a missing one; a refused form comes
back filled in with the message on its field."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..roles import Role
from ..web.forms import show_error
from ..web.guards import role_required
from ..web.i18n import current_language
from . import queries, review_queries, review_rules, reviews
from .errors import OrderError
from .review_forms import OrderReviewForm, ProductReviewForm

bp = Blueprint("reviews", __name__)
resident_only = role_required(Role.RESIDENT)


def order_review_state(order):
    """What the order page offers: ``None`` before the goods arrived; otherwise the order's review
    and, per product line, ``(item, review or None)`` (a line the store could not supply is left out)."""
    if not review_rules.is_reviewable(order.status):
        return None
    done = review_queries.reviews_of_order(order.user_id, order.id)
    lines, seen = [], set()
    for item in order.items:
        if item.unavailable or item.product_id in seen:
            continue
        seen.add(item.product_id)
        lines.append((item, done.products.get(item.product_id)))
    return {"order_review": done.order_review, "lines": lines}


bp.add_app_template_global(order_review_state, "order_review_state")
bp.add_app_template_global(review_rules.stars_text, "stars_text")


def _order_or_404(order_id):
    order = queries.get_order_for_user(current_user, order_id)
    if order is None:
        abort(404)
    return order


def _refuse_if_done(order, done):
    """Back to the order page with a word when the order can't (or can no longer) be reviewed."""
    if not review_rules.is_reviewable(order.status):
        flash(_("You can review an order once it has been delivered or collected."), "error")
    elif done:
        flash(_("You have already reviewed this."), "error")
    else:
        return None
    return redirect(url_for("orders.order_page", order_id=order.id), 303)


def _submit(form, step, page, order):
    """Validate, run ``step`` in one transaction, thank the resident; the form again on a refusal."""
    if not form.validate_on_submit():
        return page(form, 400)
    try:
        with transaction():
            step()
    except OrderError as exc:
        if exc.status == 404:
            abort(404)
        show_error(form, exc)
        return page(form, exc.status)
    flash(_("Thank you for your review."), "success")
    return redirect(url_for("orders.order_page", order_id=order.id, _anchor="reviews"), 303)


@bp.route("/orders/<int:order_id>/review", methods=["GET", "POST"])
@resident_only
def review_order(order_id):
    """Rate a delivered or collected order as a whole (and its delivery's speed), once."""
    order = _order_or_404(order_id)
    refused = _refuse_if_done(order, review_queries.reviews_of_order(current_user.id, order.id).order_review)
    if refused:
        return refused
    form = OrderReviewForm()
    if order.is_pickup:
        del form.delivery_rating

    def page(form, status=200):
        return render_template("orders/review_order.html", order=order, form=form), status

    if not form.is_submitted():
        return page(form)

    def step():
        delivery = getattr(form, "delivery_rating", None)
        reviews.review_order(current_user, order.id, int(form.rating.data), form.text.data, utcnow(),
                             delivery_rating=int(delivery.data) if delivery is not None and delivery.data else None)
    return _submit(form, step, page, order)


@bp.route("/orders/<int:order_id>/products/<int:product_id>/review", methods=["GET", "POST"])
@resident_only
def review_product(order_id, product_id):
    """Rate one product of a delivered or collected order, once: shown on the product's page."""
    order = _order_or_404(order_id)
    item = next((i for i in order.items if i.product_id == product_id and not i.unavailable), None)
    if item is None:
        abort(404)
    refused = _refuse_if_done(order, review_queries.get_product_review(current_user.id, order.id, product_id))
    if refused:
        return refused
    form = ProductReviewForm()

    def page(form, status=200):
        return render_template("orders/review_product.html", order=order, item=item, form=form,
                               lang=current_language()), status

    if not form.is_submitted():
        return page(form)
    return _submit(form, lambda: reviews.review_product(current_user, order.id, product_id, int(form.rating.data),
                                                        form.text.data, utcnow()), page, order)
