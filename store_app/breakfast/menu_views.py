"""The breakfast menu (staff and the owner: items added, edited, taken off and put back, their
photos) and the owner's breakfast settings. Registered on ``console_blueprint.bp``; create_app imports
this module before registering the blueprint."""
from datetime import time

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..catalogue import images
from ..database import MoneyError, format_cents, parse_cents, transaction, utcnow
from ..errors import DomainError
from ..web.forms import EmptyForm, choice_list, show_error
from ..web.i18n import localized
from ..web.uploads import upload_route
from . import errors, menu, settings_admin
from .console_forms import ItemForm, SettingsForm
from .console_blueprint import bp, owner_only, staff_only
from .presenters import allergen_names
from .settings import get_settings



def _photo_limit(config):
    return config.get("PRODUCT_IMAGE_MAX_BYTES", images.DEFAULT_MAX_BYTES)


@bp.get("/console/breakfast/menu")
@staff_only
def menu_page():
    """The breakfast items: active first, with price, allergens, days offered and capacity."""
    items = menu.list_items(current_user.store_id)
    return render_template("breakfast/console/menu.html", items=items, picture_url=menu.picture_url,
                           allergen_names=allergen_names, toggle_form=EmptyForm(formdata=None))


def _item_or_404(item_id):
    try:
        return menu.get_item(current_user.store_id, item_id)
    except errors.ItemNotFound:
        abort(404)


def _fill(form, item):
    form.name_zh.data, form.name_en.data = item.name_zh, item.name_en
    form.price.data = format_cents(item.price_cents, symbol="")
    form.ingredients_zh.data, form.ingredients_en.data = item.ingredients_zh, item.ingredients_en
    form.allergens.data = sorted(item.allergen_codes())
    form.allergens_known.data = item.allergens_known
    form.weekdays.data = [str(n) for n in range(7) if item.weekdays & (1 << n)]
    form.daily_capacity.data = item.daily_capacity
    form.picture.data = "" if menu.is_photo(item.picture) else item.picture


def _price_cents(form):
    try:
        cents = parse_cents(form.price.data or "")
    except MoneyError:
        form.price.errors.append(_("Enter a price in yuan, like 4 or 4.50."))
        return None
    if cents > menu.MAX_PRICE_CENTS:
        form.price.errors.append(_("Enter a price from ¥0 to ¥%(max)d.", max=menu.MAX_PRICE_CENTS // 100))
        return None
    return cents


def _weekdays(form):
    values = form.weekdays.data or []
    if not all(isinstance(v, str) and v.isascii() and v.isdigit() and int(v) <= 6 for v in values):
        form.weekdays.errors.append(_("Choose weekdays from the list."))
        return None
    return [int(v) for v in values]


def _save(form, item, price_cents, weekdays):
    store, now = current_user.store, utcnow()
    photo = images.read_photo(form.photo.data, _photo_limit(current_app.config))
    picture = form.picture.data if form.picture.data in {p for p, _label in menu.picture_choices()} else ""
    with transaction():
        saved = menu.save_item(store, now, item=item, name_zh=form.name_zh.data, name_en=form.name_en.data,
                               price_cents=price_cents, ingredients_zh=form.ingredients_zh.data,
                               ingredients_en=form.ingredients_en.data, allergens=form.allergens.data or [],
                               allergens_known=form.allergens_known.data, weekdays=weekdays,
                               daily_capacity=form.daily_capacity.data, picture=picture)
        if photo is not None:
            menu.set_item_photo(saved, photo)
        elif form.remove_photo.data:
            menu.set_item_photo(saved, None)
            saved.picture = picture
    return saved


@bp.route("/console/breakfast/menu/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/console/breakfast/menu/<int:item_id>", methods=["GET", "POST"])
@staff_only
@upload_route(_photo_limit)
def edit_item(item_id):
    """Add a breakfast item or edit one: names, price, photo, ingredients, allergens, days, capacity."""
    item = _item_or_404(item_id) if item_id is not None else None
    form = ItemForm()
    form.picture.choices = choice_list([("", _("The breakfast placeholder"))] + menu.picture_choices())
    if item is not None and not form.is_submitted():
        _fill(form, item)
    status = 200
    if form.is_submitted():
        status = 400
        valid = form.validate_on_submit()
        price_cents = _price_cents(form) if not form.price.errors else None
        weekdays = _weekdays(form)
        if valid and price_cents is not None and weekdays is not None:
            try:
                saved = _save(form, item, price_cents, weekdays)
            except DomainError as exc:
                if exc.field == "image":  # the photo pipeline's own field name
                    form.photo.errors.append(exc.message)
                else:
                    show_error(form, exc)
                status = exc.status
            else:
                flash(_("Breakfast item saved: %(name)s.", name=localized(saved)), "success")
                return redirect(url_for("breakfast_console.edit_item", item_id=saved.id), 303)
    return render_template("breakfast/console/item_form.html", form=form, item=item,
                           picture_url=menu.picture_url, toggle_form=EmptyForm(formdata=None)), status


@bp.post("/console/breakfast/menu/<int:item_id>/active")
@staff_only
def set_item_active(item_id):
    """Take an item off the menu, or put it back."""
    item = _item_or_404(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    with transaction():
        menu.set_item_active(current_user.store, item.id, active, utcnow())
    flash(_("%(name)s is on the breakfast menu again.", name=localized(item)) if active
          else _("%(name)s is off the breakfast menu: open days keep what is already ordered.",
                 name=localized(item)), "success")
    return redirect(url_for("breakfast_console.menu_page"), 303)


@bp.get("/media/breakfast/<name>")
def item_photo(name):
    """A breakfast item's photo; the name is random and checked, so nothing else on disk is reached."""
    path = menu.photo_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype=images.mime_type(name), max_age=7 * 24 * 3600, conditional=True)


# ---- the owner's breakfast settings --------------------------------------------------------------------

def _minutes(value):
    return value.hour * 60 + value.minute


def _fill_settings(form, settings):
    def clock(minute):
        return time(min(minute, 1439) // 60, min(minute, 1439) % 60)

    for name in ("open_days_ahead", "order_cutoff_days_before", "cancel_cutoff_days_before", "grace_breakfasts",
                 "claim_window_min", "low_balance_warning_h", "calendar"):
        getattr(form, name).data = getattr(settings, name)
    form.order_cutoff_time.data, form.cancel_cutoff_time.data = (clock(settings.order_cutoff_min),
                                                                 clock(settings.cancel_cutoff_min))
    form.pickup_start.data, form.pickup_end.data = clock(settings.pickup_start_min), clock(settings.pickup_end_min)


@bp.route("/console/breakfast/settings", methods=["GET", "POST"])
@owner_only
def settings():
    """How far ahead ordering opens, the cutoffs, the pickup window, the grace, the school calendar."""
    form, status = SettingsForm(), 200
    if not form.is_submitted():
        _fill_settings(form, get_settings(current_user.store_id))
    elif form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "open_days_ahead", "order_cutoff_days_before", "cancel_cutoff_days_before", "grace_breakfasts",
            "claim_window_min", "low_balance_warning_h", "calendar")}
        values.update(order_cutoff_min=_minutes(form.order_cutoff_time.data),
                      cancel_cutoff_min=_minutes(form.cancel_cutoff_time.data),
                      pickup_start_min=_minutes(form.pickup_start.data), pickup_end_min=_minutes(form.pickup_end.data))
        try:
            with transaction():
                settings_admin.update_settings(current_user.store_id, **values)
        except DomainError as exc:
            show_error(form, exc)
            status = exc.status
        else:
            flash(_("Breakfast settings saved. They apply to the breakfast days opened from now on; days "
                    "already open keep their times (change them on the days page)."), "success")
            return redirect(url_for("breakfast_console.settings"), 303)
    else:
        status = 400
    return render_template("breakfast/console/settings.html", form=form), status
