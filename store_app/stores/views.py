"""Role homes (shop, console, courier, dashboard), store settings and the stores API."""
from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..accounts.rules import home_endpoint
from ..database import transaction, utcnow
from ..deliveries.courier import list_task_cards, route_stops
from ..deliveries.forms import StartShiftForm
from ..deliveries.operations import get_current_shift
from ..geo import maps
from ..web.filters import WEEKDAY_NAMES
from ..web.guards import role_required
from . import errors, operations, rules
from .context import resolve_store
from .forms import StoreForm

bp = Blueprint("stores", __name__)


def store_status(store):
    """What the pages show about a store right now: open or not, and when it opens next."""
    now = utcnow()
    intervals = store.intervals()
    return {
        "open_now": rules.is_open(intervals, now, store.timezone),
        "next_opening": rules.next_opening(intervals, now, store.timezone),
        "week": rules.hours_by_weekday(intervals),
    }


@bp.get("/")
def home():
    """Visitors see the store and how to join; logged-in users go to their role's home."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user.role)))
    store = resolve_store()
    return render_template("core/welcome.html", store=store, status=store_status(store))


@bp.get("/console")
@role_required(Role.STAFF, Role.OWNER)
def console():
    """The counter console's front page."""
    store = current_user.store
    return render_template("console/home.html", store=store, status=store_status(store),
                           overview=operations.get_overview(store.id))


@bp.get("/courier")
@role_required(Role.COURIER)
def courier_home():
    """The courier's page: their shift (start/end), their deliveries (soonest promise first), their store."""
    store = current_user.store
    now = utcnow()
    shift = get_current_shift(current_user.id, now)
    tasks = list_task_cards(current_user, now)
    lang = get_locale().language if get_locale() else "zh"
    stops = route_stops(tasks, store, lang)
    here = (shift.lat, shift.lon) if shift is not None and shift.lat is not None else None
    route = maps.route_view((store.lat, store.lon, store.name),
                            [(s.kind, s.lat, s.lon, s.place) for s in stops], courier=here) if stops else None
    return render_template("courier/home.html", store=store, status=store_status(store), shift=shift,
                           shift_form=StartShiftForm(), tasks=tasks, stops=stops, route=route)


@bp.get("/owner")
@role_required(Role.OWNER)
def dashboard():
    """The owner's dashboard."""
    store = current_user.store
    return render_template("owner/dashboard.html", store=store, status=store_status(store),
                           overview=operations.get_overview(store.id))


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
                    store, name=form.name.data, address=form.address.data or "", phone=form.phone.data or "",
                    lat=form.lat.data, lon=form.lon.data, timezone=form.timezone.data.strip(),
                    promise_minutes=form.promise_minutes.data, intervals=intervals)
        except errors.StoreError as exc:
            field = getattr(form, exc.field, None) if exc.field else None
            if field is not None:
                field.errors = [exc.message]
            else:
                flash(exc.message, "error")
            status = 400
        else:
            flash(_("Store settings saved."), "success")
            return redirect(url_for("stores.dashboard"))
    elif form.is_submitted():
        status = 400
    return render_template("owner/settings.html", form=form, store=store), status


@bp.get("/api/v1/stores")
def api_stores():
    """Every store: ``[{id, name, lat, lon, timezone, promise_minutes}]``."""
    return jsonify([
        {"id": s.id, "name": s.name, "lat": s.lat, "lon": s.lon, "timezone": s.timezone,
         "promise_minutes": s.promise_minutes}
        for s in operations.list_stores()
    ])
