"""The owner's store settings and the stores API."""
from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel

from ..database import transaction
from ..errors import DomainError
from ..roles import Role
from ..web.api import documented
from ..web.filters import WEEKDAY_NAMES
from ..web.guards import role_required
from . import operations, rules
from .forms import StoreForm


bp = Blueprint("stores", __name__)


@bp.route("/owner/store", methods=["GET", "POST"])
@role_required(Role.OWNER)
def settings():
    """The owner edits the store's name, place, time zone, promise and opening hours."""
    store = current_user.store
    form = StoreForm(obj=store)
    if not form.is_submitted():
        week = rules.hours_by_weekday(store.intervals())
        for day, field in enumerate(form.hour_fields()):
            field.data = ", ".join(week[day])
    status = 200
    if form.validate_on_submit():
        try:
            with transaction():
                intervals = operations.parse_week([f.data for f in form.hour_fields()],
                                                  [str(n) for n in WEEKDAY_NAMES])
                operations.update_store(
                    store, name=form.name.data, name_en=form.name_en.data or "",
                    address_en=form.address_en.data or "", address=form.address.data or "", phone=form.phone.data or "",
                    lat=form.lat.data, lon=form.lon.data, timezone=form.timezone.data.strip(),
                    promise_minutes=form.promise_minutes.data, intervals=intervals)
        except DomainError as exc:
            field = getattr(form, exc.field, None) if exc.field else None
            if field is not None:
                field.errors = [exc.message]
            else:
                flash(exc.message, "error")
            status = 400
        else:
            flash(_("Store settings saved."), "success")
            return redirect(url_for("reports.dashboard"))
    elif form.is_submitted():
        status = 400
    return render_template("owner/settings.html", form=form, store=store), status


class StoreOut(BaseModel):
    """A store, as the API shows it to anyone."""

    id: int
    name: str
    lat: float
    lon: float
    timezone: str
    promise_minutes: int


@bp.get("/api/v1/stores")
@documented(ok=(200, list[StoreOut]), tags=["stores"])
def api_stores():
    """Every store: ``[{id, name, lat, lon, timezone, promise_minutes}]``."""
    return jsonify([
        {"id": s.id, "name": s.name, "lat": s.lat, "lon": s.lon, "timezone": s.timezone,
         "promise_minutes": s.promise_minutes}
        for s in operations.list_stores()
    ])
