"""The console's scenario pushes (staff and the owner): the list, a new push, one push's results
(deliveries by outcome, conversion against the holdout) with "Send now" for a triggered push (a
rainy evening) and "Stop". Each view runs one operation inside ``transaction()``; another store's
push answers 404; a refused form comes back filled in with a 4xx."""
from datetime import timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.forms import EmptyForm, choice_list, show_error
from ..web.guards import role_required
from ..web.i18n import lang_of
from . import push_errors, pushes
from .push_forms import KIND_NAMES, SCHEDULE_NAMES, SEGMENT_NAMES, PushForm
from .push_results import load_results
from .push_rules import CONVERSION_WINDOW, MAX_PUSHES_PER_WEEK, Schedule

bp = Blueprint("growth_pushes", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)


@bp.app_context_processor
def _names():
    return {"PUSH_KIND_NAMES": KIND_NAMES, "PUSH_SCHEDULE_NAMES": SCHEDULE_NAMES,
            "PUSH_SEGMENT_NAMES": SEGMENT_NAMES}


def _form(empty=False):
    """The push form: empty (a new page) or as posted; its campaign choices are the store's."""
    form = PushForm(formdata=None) if empty else PushForm()
    campaigns = pushes.list_store_campaigns(current_user.store_id)
    # A campaign's name is as staff typed it: each option carries its own language.
    form.campaign_id.choices = [*choice_list([("", _("None"))]),
                                *[SelectChoice(str(c.id), c.name, {"lang": lang_of(c.name)}) for c in campaigns]]
    return form


@bp.get("/console/growth/pushes")
@staff_only
def list_page():
    """The store's pushes, newest first."""
    return render_template("growth/pushes/list.html", pushes=pushes.list_pushes(current_user.store_id),
                           tz=current_user.store.timezone)


def _new_page(form, status=200):
    return render_template("growth/pushes/new.html", form=form, cap=MAX_PUSHES_PER_WEEK,
                           tz=current_user.store.timezone), status


@bp.get("/console/growth/pushes/new")
@staff_only
def new():
    """The form for a new push."""
    return _new_page(_form(empty=True))


@bp.post("/console/growth/pushes/new")
@staff_only
def create():
    """Save a new push; a refused one comes back filled in, with the reason on its field."""
    form, store, now = _form(), current_user.store, utcnow()
    if not form.validate_on_submit():
        return _new_page(form, 400)
    send_at = None
    if form.send_at.data is not None:
        send_at = form.send_at.data.replace(tzinfo=ZoneInfo(store.timezone)).astimezone(timezone.utc)
    morning = form.morning_time.data
    campaign_id = form.campaign_id.data or None
    if campaign_id is not None and not campaign_id.isdigit():
        form.campaign_id.errors = [push_errors.CampaignNotFound.message]
        return _new_page(form, 400)
    try:
        with transaction():
            push = pushes.create_push(
                store, kind=form.kind.data, segment=form.segment.data, schedule=form.schedule.data,
                title_zh=form.title_zh.data or "", title_en=form.title_en.data or "",
                body_zh=form.body_zh.data or "", body_en=form.body_en.data or "", send_at=send_at,
                morning_min=morning.hour * 60 + morning.minute if morning else None,
                holdout_percent=form.holdout_percent.data, campaign_id=int(campaign_id) if campaign_id else None,
                created_by_id=current_user.id, now=now)
            push_id = push.id
    except DomainError as exc:
        show_error(form, exc)
        return _new_page(form, exc.status)
    flash(_("The push is saved."), "success")
    return redirect(url_for("growth_pushes.detail", push_id=push_id), 303)


def _push_or_404(push_id):
    try:
        return pushes.get_store_push(current_user.store_id, push_id)
    except push_errors.PushNotFound:
        abort(404)


@bp.get("/console/growth/pushes/<int:push_id>")
@staff_only
def detail(push_id):
    """One push: what it says, when it goes out, its deliveries by outcome and its conversion."""
    return _detail_page(_push_or_404(push_id))


def _detail_page(push, status=200):
    return render_template("growth/pushes/detail.html", push=push, results=load_results(push),
                           tz=current_user.store.timezone, action_form=EmptyForm(formdata=None),
                           window_h=int(CONVERSION_WINDOW.total_seconds() // 3600), Schedule=Schedule), status


@bp.post("/console/growth/pushes/<int:push_id>/send")
@staff_only
def send_now(push_id):
    """Send a triggered push now (today's occasion; a second press the same day reaches nobody twice)."""
    push, now = _push_or_404(push_id), utcnow()
    try:
        with transaction():
            counts = pushes.trigger_push(push, now)
    except DomainError as exc:
        flash(exc.message, "error")
        return _detail_page(push, exc.status)
    flash(_("Sent to %(sent)d, %(deferred)d held until 08:00 (quiet hours), %(held)d in the holdout.",
            sent=counts.get("sent", 0), deferred=counts.get("deferred", 0), held=counts.get("holdout", 0)),
          "success")
    return redirect(url_for("growth_pushes.detail", push_id=push_id), 303)


@bp.post("/console/growth/pushes/<int:push_id>/stop")
@staff_only
def stop(push_id):
    """Stop the push: nothing more goes out."""
    push = _push_or_404(push_id)
    with transaction():
        stopped = pushes.stop_push(push, utcnow())
    flash(_("The push is stopped.") if stopped else _("This push was not running."), "success" if stopped else "error")
    return redirect(url_for("growth_pushes.detail", push_id=push_id), 303)
