"""The in-app inbox: every user's messages, newest first; new ones stay marked until read. And a
resident's notification settings: which optional pushes they get (service notices are always on)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..database import transaction, utcnow
from ..roles import Role
from ..web.guards import role_required
from . import operations, preferences
from .forms import KIND_TEXTS, PreferencesForm
from .presenters import render
from .quiet_rules import QUIET_END, QUIET_START

bp = Blueprint("notifications", __name__)


@bp.app_template_global("unread_messages")
def unread_messages():
    """How many unread messages the current user has (for the link on their own page)."""
    return operations.count_unread(current_user.id) if current_user.is_authenticated else 0


@bp.get("/inbox")
@login_required
def inbox():
    """The user's messages, the unread ones marked "New" until the user marks them read."""
    notes = operations.list_inbox(current_user.id)
    shown = [{"note": n, "title": title, "body": body, "unread": n.read_at is None}
             for n in notes for title, body in [render(n)]]
    return render_template("notifications/inbox.html", messages=shown)


@bp.post("/inbox/read")
@login_required
def mark_read():
    """Mark every message as read (the page's button)."""
    with transaction():
        operations.mark_all_read(current_user.id, utcnow())
    return redirect(url_for("notifications.inbox"), 303)


def _preferences_page(form, status=200):
    return render_template("notifications/preferences.html", form=form, kind_texts=KIND_TEXTS,
                           quiet_start=QUIET_START.strftime("%H:%M"), quiet_end=QUIET_END.strftime("%H:%M")), status


@bp.get("/me/notifications")
@role_required(Role.RESIDENT)
def preferences_page():
    """The resident's switches: breakfast reminders, offers, win-back messages."""
    form = PreferencesForm(formdata=None, data=preferences.get_preferences(current_user.id))
    return _preferences_page(form)


@bp.post("/me/notifications")
@role_required(Role.RESIDENT)
def save_preferences():
    """Save the switches as posted (an unchecked box is off)."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _preferences_page(form, 400)
    with transaction():
        preferences.set_preferences(current_user.id, form.enabled_kinds(), utcnow())
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("notifications.preferences_page"), 303)
