"""The in-app inbox: every user's messages, newest first; new ones stay marked until read."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..database import transaction, utcnow
from . import operations
from .presenters import render

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
