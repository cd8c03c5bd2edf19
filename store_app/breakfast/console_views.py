"""The breakfast console (staff and the owner): the next two weeks of breakfast days (close one,
change its times, open a date early) and the store's school calendar (a month view, overrides
added and deleted). The menu and the owner's settings are ``menu_views``, on the same blueprint
(``console_blueprint.bp``).
Each view runs one operation inside ``transaction()``; another store's id answers 404."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..web.forms import EmptyForm, show_error
from . import calendar_ops, day_admin, errors, rules
from .console_blueprint import bp, staff_only
from .console_forms import CloseDayForm, DayTimesForm, OpenDayForm, OverrideForm
from .operations import ensure_day
from .worklist import calendar_notice

LIVE_HEADER = "X-Breakfast-Days"
DAYS_SHOWN = 14


def _today(store, now):
    return rules.local_today(now, store.timezone)


# ---- the days ----------------------------------------------------------------------------------------

def _days_context(store, now):
    return {"rows": calendar_ops.list_day_rows(store.id, _today(store, now), DAYS_SHOWN), "store": store,
            "tz": store.timezone, "now": now}


@bp.get("/console/breakfast/days")
@staff_only
def days():
    """The next 14 dates: school day or not and why, each breakfast day's status, times and portions."""
    store, now = current_user.store, utcnow()
    return render_template("breakfast/console/days.html", open_form=OpenDayForm(formdata=None),
                           live_header=LIVE_HEADER, **_days_context(store, now))


@bp.get("/console/breakfast/days/live")
@staff_only
def days_live():
    """The days table alone, for the page to refresh itself."""
    store, now = current_user.store, utcnow()
    response = make_response(render_template("breakfast/console/_days_table.html", **_days_context(store, now)))
    response.headers[LIVE_HEADER] = "1"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/console/breakfast/days/open")
@staff_only
def open_day():
    """Open a school date's breakfast day early (subscriptions take their portions at once)."""
    store, now = current_user.store, utcnow()
    form, status = OpenDayForm(), 400
    if form.validate_on_submit():
        today = _today(store, now)
        if not today <= form.date.data <= today + timedelta(days=60):
            form.date.errors.append(_("Choose a date from today to 60 days ahead."))
        else:
            try:
                with transaction():
                    day = ensure_day(store, form.date.data, now)
            except DomainError as exc:
                form.date.errors.append(exc.message)
                status = exc.status
            else:
                flash(_("Breakfast on %(date)s is open.", date=day.date.isoformat()), "success")
                return redirect(url_for("breakfast_console.day", day_id=day.id), 303)
    return render_template("breakfast/console/days.html", open_form=form, live_header=LIVE_HEADER,
                           **_days_context(store, now)), status


def _day_or_404(day_id):
    try:
        return day_admin.get_store_day(current_user.store_id, day_id)
    except errors.DayNotFound:
        abort(404)


def _naive_local(value, tz_name):
    return value.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def _times_form(day, tz_name):
    form = DayTimesForm(formdata=None)
    form.order_cutoff.data = _naive_local(day.order_cutoff_at, tz_name)
    form.cancel_cutoff.data = _naive_local(day.cancel_cutoff_at, tz_name)
    form.pickup_start.data = _naive_local(day.pickup_start_at, tz_name).time()
    form.pickup_end.data = _naive_local(day.pickup_end_at, tz_name).time()
    return form


def _day_page(day, *, times_form=None, close_form=None, status=200):
    store, now = current_user.store, utcnow()
    row = next((r for r in calendar_ops.list_day_rows(store.id, day.date, 1)), None)
    return render_template("breakfast/console/day.html", day=day, row=row, store=store, tz=store.timezone,
                           now=now, times_form=times_form or _times_form(day, store.timezone),
                           close_form=close_form or CloseDayForm(formdata=None)), status


@bp.get("/console/breakfast/days/<int:day_id>")
@staff_only
def day(day_id):
    """One breakfast day: its portions and orders, its times to change, the button that closes it."""
    return _day_page(_day_or_404(day_id))


@bp.post("/console/breakfast/days/<int:day_id>/close")
@staff_only
def close_day(day_id):
    """Close the day: orders refunded, portions freed, parents told the reason."""
    found = _day_or_404(day_id)
    form = CloseDayForm()
    if form.validate_on_submit():
        try:
            with transaction():
                closed, count, cents = day_admin.close_day(current_user.store, found.id, form.reason.data,
                                                           current_user.id, utcnow())
        except DomainError as exc:
            show_error(form, exc)
            return _day_page(_day_or_404(day_id), close_form=form, status=exc.status)
        flash(ngettext("Breakfast on %(date)s is closed: %(num)d order refunded, its parent told.",
                       "Breakfast on %(date)s is closed: %(num)d orders refunded, their parents told.",
                       count, date=closed.date.isoformat()), "success")
        return redirect(url_for("breakfast_console.day", day_id=found.id), 303)
    return _day_page(found, close_form=form, status=400)


def _utc(naive_local, tz_name):
    return naive_local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def _near(form, the_date):
    """Both cutoffs within a month of the pickup date (a year 1 typed by mistake never reaches the
    clock arithmetic); a message on the field otherwise."""
    fine = True
    for field in (form.order_cutoff, form.cancel_cutoff):
        if abs((field.data.date() - the_date).days) > 31:
            field.errors.append(_("Choose a time within a month before the pickup date."))
            fine = False
    return fine


@bp.post("/console/breakfast/days/<int:day_id>/times")
@staff_only
def change_times(day_id):
    """Move an open day's order cutoff, cancel cutoff and pickup window (store time)."""
    found, store = _day_or_404(day_id), current_user.store
    form = DayTimesForm()
    if form.validate_on_submit() and _near(form, found.date):
        tz = store.timezone
        try:
            with transaction():
                day_admin.change_day_times(
                    store, found.id, utcnow(), order_cutoff_at=_utc(form.order_cutoff.data, tz),
                    cancel_cutoff_at=_utc(form.cancel_cutoff.data, tz),
                    pickup_start_at=_utc(datetime.combine(found.date, form.pickup_start.data), tz),
                    pickup_end_at=_utc(datetime.combine(found.date, form.pickup_end.data), tz))
        except DomainError as exc:
            show_error(form, exc)
            return _day_page(_day_or_404(day_id), times_form=form, status=exc.status)
        flash(_("The times of breakfast on %(date)s are changed.", date=found.date.isoformat()), "success")
        return redirect(url_for("breakfast_console.day", day_id=found.id), 303)
    return _day_page(found, times_form=form, status=400)


# ---- the calendar ------------------------------------------------------------------------------------

def _month(text, today):
    """``(year, month)`` from ``YYYY-MM``, else this month; years 2000 to 2100 only."""
    try:
        year, month = (int(part) for part in str(text or "").split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def _calendar_page(form, status=200):
    store, now = current_user.store, utcnow()
    today = _today(store, now)
    year, month = _month(request.args.get("month"), today)
    first = date(year, month, 1)
    previous, following = first - timedelta(days=1), first + timedelta(days=32)
    return render_template("breakfast/console/calendar.html", store=store, form=form, today=today,
                           weeks=calendar_ops.month_weeks(store.id, year, month), first=first,
                           previous=previous.strftime("%Y-%m"), following=following.strftime("%Y-%m"),
                           overrides=calendar_ops.list_overrides(store.id), notice=calendar_notice(store.id, today),
                           rule_weekdays=calendar_ops.rule_weekdays, delete_form=EmptyForm(formdata=None)), status


@bp.get("/console/breakfast/calendar")
@staff_only
def calendar():
    """A month of the store's school days: the national calendar (make-up days marked) and overrides."""
    return _calendar_page(OverrideForm(formdata=None))


@bp.post("/console/breakfast/calendar")
@staff_only
def add_override():
    """Add a closure or an opening: one date, a range, or weekdays within a range."""
    form = OverrideForm()
    if not form.validate_on_submit():
        return _calendar_page(form, 400)
    store = current_user.store
    weekdays = []
    for value in form.weekdays.data or []:
        if not (isinstance(value, str) and value.isascii() and value.isdigit() and int(value) <= 6):
            form.weekdays.errors.append(_("Choose weekdays from the list."))
            return _calendar_page(form, 400)
        weekdays.append(int(value))
    try:
        with transaction():
            _row, closed = calendar_ops.add_override(
                store, mode=form.mode.data, kind=form.kind.data, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, weekdays=weekdays, note=form.note.data, actor_id=current_user.id,
                now=utcnow())
    except DomainError as exc:
        show_error(form, exc)
        return _calendar_page(form, exc.status)
    flash(_("The calendar is changed.") + " " + (
        ngettext("%(num)d open breakfast day was closed: its orders are refunded and the parents told.",
                 "%(num)d open breakfast days were closed: their orders are refunded and the parents told.",
                 len(closed)) if closed else _("No breakfast day had to be closed.")), "success")
    return redirect(url_for("breakfast_console.calendar", month=form.starts_on.data.strftime("%Y-%m")), 303)


@bp.post("/console/breakfast/calendar/<int:override_id>/delete")
@staff_only
def delete_override(override_id):
    """Delete an override; days already made keep their state."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            calendar_ops.delete_override(current_user.store_id, override_id)
    except errors.OverrideNotFound:
        abort(404)
    flash(_("The calendar change is deleted. Breakfast days already made keep their state: close or open "
            "them on the days page if needed."), "success")
    return redirect(url_for("breakfast_console.calendar", month=request.args.get("month", "")[:7] or None), 303)
