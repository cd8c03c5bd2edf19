"""The staff's catalogue console: products (list, add, edit, photo, stock, on/off sale), CSV import,
categories and partner merchants; and the product photos. Another store's id answers 404, like a
missing one."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import csv_rules
from ..database import transaction, utcnow
from ..errors import DomainError
from ..geo import errors as geo_errors
from ..geo.rules import CoordinateError, parse_point
from ..roles import Role
from ..stores.rules import HoursFormatError, format_interval, parse_interval
from ..web.forms import EmptyForm, show_error
from ..web.guards import role_required
from ..web.i18n import current_language
from ..web.params import db_int
from ..web.uploads import upload_route
from . import errors, images, importing, operations, presenters, rules, stock, units
from .forms import KIND_LABELS, CategoryForm, ImportForm, MerchantForm, ProductForm, StockForm
from .models import MerchantKind

bp = Blueprint("catalogue", __name__)
bp.add_app_template_global(presenters.placeholder_tone, "placeholder_tone")
bp.add_app_template_global(presenters.picture_of, "picture_of")
bp.add_app_template_filter(units.format_unit, "unit")
staff_only = role_required(Role.STAFF, Role.OWNER)
PER_PAGE = 50


def _product_or_404(product_id):
    product = operations.get_product(current_user.store_id, product_id)
    if product is None:
        abort(404)
    return product


@bp.get("/console/products")
@staff_only
def products():
    """The store's products, searchable and filtered by category, 50 a page."""
    store_id = current_user.store_id
    category = operations.get_category(store_id, request.args.get("category"))
    query = request.args.get("q", "").strip()[:60]
    page = max(1, request.args.get("page", 1, type=db_int) or 1)
    out_of_stock = request.args.get("stock") == "out"
    listing = operations.list_products(store_id, query, category.id if category else None, page, PER_PAGE,
                                       out_of_stock=out_of_stock)
    return render_template("catalogue/products.html", listing=listing, query=query, category=category,
                           out_of_stock=out_of_stock,
                           categories=operations.list_categories(store_id), lang=current_language())


def _product_page(form, product, stock_form=None, status=200):
    store_id = current_user.store_id
    movements = stock.list_movements(store_id, product.id) if product is not None else []
    return render_template("catalogue/product_form.html", form=form, product=product,
                           stock_form=stock_form or StockForm(formdata=None), movements=movements,
                           reason_label=presenters.reason_label, lang=current_language()), status


def _photo_limit(config):
    return config.get("PRODUCT_IMAGE_MAX_BYTES", images.DEFAULT_MAX_BYTES)


def _save_product(form, product):
    """Save the form and its photo in one transaction. The photo is checked and re-encoded first,
    in memory; its file is kept only if the transaction commits (and the old one goes then)."""
    store, now = current_user.store, utcnow()
    photo = images.read_photo(form.image.data, _photo_limit(current_app.config))
    with transaction():
        saved = operations.save_product(
            store, name_zh=form.name_zh.data, name_en=form.name_en.data,
            category_id=form.category_id.data, merchant_id=form.merchant_id.data, price=form.price.data,
            cost=form.cost.data, barcode=form.barcode.data, unit_label=form.unit_label.data, is_active=form.is_active.data,
            actor_id=current_user.id, picture=form.picture.data or None,
            now=now, initial_stock=form.stock.data if product is None else 0, product=product)
        if photo is not None:
            operations.set_product_image(saved, photo, now)
        elif form.remove_image.data:
            operations.set_product_image(saved, None, now)
    return saved


@bp.route("/console/products/new", methods=["GET", "POST"], defaults={"product_id": None})
@bp.route("/console/products/<int:product_id>", methods=["GET", "POST"])
@staff_only
@upload_route(_photo_limit)
def edit_product(product_id):
    """Add a product or edit one: names, category, merchant, price, barcode, unit, photo, on sale."""
    product = _product_or_404(product_id) if product_id is not None else None
    form = ProductForm(obj=product)
    store_id = current_user.store_id
    form.set_choices(operations.list_categories(store_id), operations.list_merchants(store_id),
                     current_language())
    if product is not None and not form.is_submitted():
        form.price.data = rules.format_price(product.price_cents)
        form.cost.data = rules.format_price(product.cost_cents) if product.cost_cents is not None else ""
        form.unit_label.data = units.format_unit(product.unit_label)  # staff read and type their language
        form.category_id.data = str(product.category_id)
        merchant = product.merchant
        form.merchant_id.data = str(merchant.id) if merchant.is_partner else ""
    if form.validate_on_submit():
        try:
            saved = _save_product(form, product)
        except DomainError as exc:
            show_error(form, exc)
        else:
            flash(_("Product saved: %(name)s.", name=saved.name(current_language())), "success")
            return redirect(url_for("catalogue.edit_product", product_id=saved.id), 303)
    return _product_page(form, product, status=400 if form.is_submitted() else 200)


@bp.post("/console/products/<int:product_id>/stock")
@staff_only
def adjust_stock(product_id):
    """Add to or take from the stock with a reason; refused (nothing changed) below zero."""
    product = _product_or_404(product_id)
    stock_form, status = StockForm(), 400
    if stock_form.validate_on_submit():
        try:
            with transaction():
                new_stock = stock.adjust_stock(current_user.store_id, product.id, stock_form.delta.data,
                                               stock_form.reason.data, stock_form.note.data, current_user.id,
                                               utcnow())
        except errors.ProductNotFound:
            abort(404)
        except DomainError as exc:
            show_error(stock_form, exc)
            status = exc.status
        else:
            flash(_("Stock of %(name)s is now %(n)d.", name=product.name(current_language()), n=new_stock),
                  "success")
            return redirect(url_for("catalogue.edit_product", product_id=product.id) + "#stock", 303)
    form = ProductForm(formdata=None, obj=product)
    form.set_choices(operations.list_categories(current_user.store_id),
                     operations.list_merchants(current_user.store_id), current_language())
    form.price.data = rules.format_price(product.price_cents)
    form.cost.data = rules.format_price(product.cost_cents) if product.cost_cents is not None else ""
    return _product_page(form, product, stock_form, status)


@bp.post("/console/products/<int:product_id>/active")
@staff_only
def set_product_active(product_id):
    """Take a product off sale (it disappears from the feed) or put it back on sale."""
    product = _product_or_404(product_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    with transaction():
        operations.set_product_active(current_user.store_id, product.id, active, utcnow())
    flash(_("%(name)s is on sale again.", name=product.name(current_language())) if active
          else _("%(name)s is no longer on sale.", name=product.name(current_language())), "success")
    return redirect(url_for("catalogue.edit_product", product_id=product.id), 303)


@bp.route("/console/products/import", methods=["GET", "POST"])
@staff_only
@upload_route(csv_rules.MAX_FILE_BYTES)
def import_products():
    """Import products from CSV (a file or pasted lines) and show a report, line by line."""
    form, report, status = ImportForm(), None, 200
    if form.validate_on_submit():
        try:
            text = _import_text(form)
            with transaction():
                report = importing.import_products(current_user.store, text, current_user.id, utcnow())
        except DomainError as exc:
            show_error(form, exc)
            status = 400
        else:
            # The lines come back in the box: fix the refused ones and import again (the rest is unchanged).
            form.text.data = text if report.problems else ""
            flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
                    "%(bad)d refused.", created=report.created, updated=report.updated,
                    unchanged=report.unchanged, bad=len(report.problems)),
                  "error" if report.problems else "success")
    elif form.is_submitted():
        status = 400
    return render_template("catalogue/import.html", form=form, report=report,
                           categories=operations.list_categories(current_user.store_id),
                           merchants=operations.list_merchants(current_user.store_id)), status


def _import_text(form):
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        data = upload.read()
        if data:
            return importing.import_file_text(data)
    if (form.text.data or "").strip():
        return form.text.data
    raise errors.ImportRefused("nothing")


# ---- categories -------------------------------------------------------------------------------

@bp.route("/console/categories", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/console/categories/<int:category_id>", methods=["GET", "POST"])
@staff_only
def categories(category_id):
    """The store's categories, with a form to add one (or to edit the one in the address)."""
    store_id = current_user.store_id
    category = None
    if category_id is not None:
        category = operations.get_category(store_id, category_id)
        if category is None:
            abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            with transaction():
                operations.save_category(store_id, slug=form.slug.data, name_zh=form.name_zh.data,
                                         name_en=form.name_en.data, position=form.position.data,
                                         picture=form.picture.data or None, category=category)
        except DomainError as exc:
            show_error(form, exc)
        else:
            flash(_("Category saved."), "success")
            return redirect(url_for("catalogue.categories"), 303)
    return render_template("catalogue/categories.html", form=form, category=category,
                           categories=operations.list_categories(store_id),
                           counts=operations.count_products_by_category(store_id)), \
        400 if form.is_submitted() else 200


# ---- merchants --------------------------------------------------------------------------------

@bp.get("/console/merchants")
@staff_only
def merchants():
    """The store itself and its partner shops, with their hours and preparation time."""
    return render_template("catalogue/merchants.html",
                           merchants=operations.list_merchants(current_user.store_id),
                           format_interval=format_interval, kind_labels=KIND_LABELS)


def _merchant_values(form):
    """Coordinates and hours from the form's text, or a message on the field at fault (None)."""
    try:
        lat, lon = parse_point(form.lat.data, form.lon.data)
    except CoordinateError as exc:
        form.lat.errors = [*form.lat.errors, geo_errors.coordinate_message(exc)]
        return None
    try:
        opens, closes = parse_interval(form.hours.data)
    except HoursFormatError:
        form.hours.errors = [*form.hours.errors, errors.HOURS_MESSAGE]
        return None
    return {"lat": lat, "lon": lon, "opens_min": opens, "closes_min": closes}


@bp.route("/console/merchants/new", methods=["GET", "POST"], defaults={"merchant_id": None})
@bp.route("/console/merchants/<int:merchant_id>", methods=["GET", "POST"])
@staff_only
def edit_merchant(merchant_id):
    """Add a partner merchant or edit one: name, kind, place, phone, hours, preparation time."""
    store_id = current_user.store_id
    merchant = operations.get_merchant(store_id, merchant_id) if merchant_id is not None else None
    if merchant_id is not None and merchant is None:
        abort(404)
    form = MerchantForm(obj=merchant)
    if merchant is None and not form.is_submitted():
        form.kind.data = MerchantKind.FRUIT.value
        form.lat.data, form.lon.data = f"{current_user.store.lat:.6f}", f"{current_user.store.lon:.6f}"
    elif merchant is not None and not form.is_submitted():
        form.hours.data = format_interval(merchant.opens_min, merchant.closes_min)
    values = _merchant_values(form) if form.validate_on_submit() else None
    if values is not None:
        try:
            with transaction():
                operations.save_merchant(store_id, name=form.name.data, name_en=form.name_en.data, kind=form.kind.data,
                                         phone=form.phone.data, prep_minutes=form.prep_minutes.data,
                                         merchant=merchant, **values)
        except DomainError as exc:
            show_error(form, exc)
        else:
            flash(_("Merchant saved."), "success")
            return redirect(url_for("catalogue.merchants"), 303)
    return render_template("catalogue/merchant_form.html", form=form, merchant=merchant), \
        400 if form.is_submitted() else 200


@bp.get("/media/products/<name>")
def product_image(name):
    """A product photo; the name is random and checked, so nothing else on disk can be reached."""
    path = images.image_path(current_app.instance_path, name)
    if path is None:
        abort(404)
    return send_file(path, mimetype=images.mime_type(name), max_age=7 * 24 * 3600, conditional=True)
