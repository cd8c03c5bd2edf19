"""The staff dispatch board at /console/dispatch: couriers on shift, the open work by state, the tasks
at risk of breaking the promise and a map, refreshed live by dispatch-board.js; a task goes to
another courier by hand (a select and a button, or a card dragged onto a courier with JavaScript)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.guards import role_required
from ..web.live import live_fragment
from ..web.params import db_int
from . import dispatch_board as board_ops
from . import errors, store_steps

bp = Blueprint("dispatch_board", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)


def _context(**extra):
    now = utcnow()
    store = current_user.store
    return {"board": board_ops.load_board(store, now), "store": store, "now": now, "assign_form": {}, **extra}


@bp.get("/console/dispatch")
@staff_only
def board():
    """The board: map, tasks at risk, couriers on shift, and the open work by state."""
    return render_template("dispatch_board/board.html", **_context())


@bp.get("/console/dispatch/live")
@staff_only
def live():
    """The board alone, as HTML, for dispatch-board.js to swap in every few seconds."""
    return live_fragment(render_template("dispatch_board/_board.html", **_context()), "X-Dispatch-Board")


def _seen_courier_id(text):
    """The courier the form says staff saw on the task: "" is none; not a number is refused."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise errors.DeliveryError(text)
    return int(text)


@bp.post("/console/dispatch/tasks/<int:task_id>/assign")
@staff_only
def assign(task_id):
    """Give a task to a courier on shift with room (or to another one, until it is picked up).

    303 back to the board; bad input or a lost race shows the board again with the message and
    the status (400, 409); another store's task is 404.
    """
    courier_id = request.form.get("courier_id", type=db_int)
    try:
        seen_courier_id = _seen_courier_id(request.form.get("seen_courier_id"))
        with transaction():
            order_id = store_steps.assign_task_by_hand(current_user, task_id, courier_id, seen_courier_id,
                                                       utcnow()).order_id
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        form = {"task_id": task_id, "courier_id": courier_id}
        return render_template("dispatch_board/board.html", **_context(assign_form=form)), exc.status
    flash(_("Order #%(id)d given to a courier.", id=order_id), "success")
    return redirect(url_for("dispatch_board.board", _anchor=f"task-{task_id}"), 303)
