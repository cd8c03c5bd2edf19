"""Staff's reviews page (``review_console`` blueprint, counter tablet): the store's product and order
reviews newest first, filtered (visible, hidden, low ratings); hide one with a recorded reason, show
it again, reply once. Residents get 403; another store's review answers 404."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..database import transaction, utcnow
from ..roles import Role
from ..web.forms import EmptyForm, show_error
from ..web.guards import role_required
from ..web.i18n import current_language
from . import review_queries, reviews
from .errors import OrderError
from .review_forms import HideForm, ReplyForm

bp = Blueprint("review_console", __name__, url_prefix="/console/reviews")
staff_only = role_required(Role.STAFF, Role.OWNER)

FILTER_LABELS = {"all": _l("All"), "visible": _l("Visible"), "hidden": _l("Hidden"), "low": _l("1-2 stars")}
KIND_LABELS = {None: _l("Products and orders"), "product": _l("Products"), "order": _l("Orders")}


def _filters():
    show = request.args.get("show", "all")
    kind = request.args.get("of") or None
    return (show if show in review_queries.FILTERS else "all"), (kind if kind in KIND_LABELS else None)


def _page(status=200, form=None, form_for=None):
    """The reviews page; ``form`` (filled in, with its errors) is shown at the review ``form_for``."""
    show, kind = _filters()
    return render_template(
        "review_console/reviews.html", reviews=review_queries.list_for_store(current_user.store_id, show, kind),
        show=show, kind=kind, filter_labels=FILTER_LABELS, kind_labels=KIND_LABELS, tz=current_user.store.timezone,
        lang=current_language(), form=form, form_for=form_for,
        hide_blank=lambda prefix: HideForm(formdata=None, prefix=prefix),
        reply_blank=lambda prefix: ReplyForm(formdata=None, prefix=prefix)), status


def _back():
    show, kind = _filters()
    return redirect(url_for("review_console.reviews", show=None if show == "all" else show, of=kind), 303)


def _submit(form, form_for, step, done):
    """Run ``step`` for one review's form in one transaction; refused: the page again, form filled in."""
    if not form.validate_on_submit():
        return _page(400, form, form_for)
    try:
        with transaction():
            step()
    except OrderError as exc:
        if exc.status == 404:
            abort(404)
        show_error(form, exc)
        return _page(exc.status, form, form_for)
    flash(done, "success")
    return _back()


def _review_or_404(kind, review_id):
    try:
        return reviews.get_review(current_user.store_id, kind, review_id)
    except OrderError:
        abort(404)


@bp.get("", endpoint="reviews")
@staff_only
def reviews_page():
    """Every review of the store's goods and orders, newest first, with a filter."""
    return _page()


@bp.post("/<kind>/<int:review_id>/hide")
@staff_only
def hide(kind, review_id):
    """Hide a review with the reason recorded: it leaves the product's page and average."""
    review = _review_or_404(kind, review_id)
    form = HideForm(prefix=f"{review.kind}{review.id}")
    return _submit(form, (review.kind, review.id, "hide"),
                   lambda: reviews.hide_review(current_user, review.kind, review.id, form.reason.data, utcnow()),
                   _("The review is hidden."))


@bp.post("/<kind>/<int:review_id>/unhide")
@staff_only
def unhide(kind, review_id):
    """Show a hidden review again."""
    review = _review_or_404(kind, review_id)
    return _submit(EmptyForm(), (review.kind, review.id, "unhide"),
                   lambda: reviews.unhide_review(current_user, review.kind, review.id, utcnow()),
                   _("The review is shown again."))


@bp.post("/<kind>/<int:review_id>/reply")
@staff_only
def reply(kind, review_id):
    """The store's one public reply to a review."""
    review = _review_or_404(kind, review_id)
    form = ReplyForm(prefix=f"reply-{review.kind}{review.id}")
    return _submit(form, (review.kind, review.id, "reply"),
                   lambda: reviews.reply_to_review(current_user, review.kind, review.id, form.text.data, utcnow()),
                   _("Your reply is published."))
