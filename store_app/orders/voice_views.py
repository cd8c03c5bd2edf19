"""Voice orders: the resident's page to send one, the staff's queue to build carts from them."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.guards import role_required
from ..web.params import db_int
from ..web.uploads import upload_route
from . import errors, voice

bp = Blueprint("voice", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)


def _read_upload(upload, limit):
    """The uploaded bytes (one more than ``limit`` at most, to tell "too big"), or None; the
    temporary file behind a large upload is closed at once."""
    if upload is None or not upload.filename:
        return None
    try:
        return upload.read(limit + 1)
    finally:
        upload.close()


@bp.route("/voice", methods=["GET", "POST"])
@role_required(Role.RESIDENT)
@upload_route(voice.MAX_AUDIO_BYTES)
def voice_order():
    """Record a voice note (or type a list); staff build the cart, the resident confirms and pays."""
    text = request.form.get("text", "")
    status = 200
    if request.method == "POST":
        audio = _read_upload(request.files.get("audio"), voice.MAX_AUDIO_BYTES)
        try:
            with transaction():
                voice.submit_voice_order(current_user, text, audio, utcnow())
        except DomainError as exc:
            flash(exc.message, "error")
            status = exc.status
        else:
            flash(_("Sent! We'll put your items in your cart and let you know."), "success")
            return redirect(url_for("voice.voice_order"), 303)
    return render_template("voice/resident.html", text=text,
                           requests=voice.list_voice_orders_for_user(current_user.id)), status


@bp.get("/console/voice")
@staff_only
def queue():
    """Voice orders waiting for staff, oldest first."""
    return render_template("voice/queue.html", requests=voice.list_open_voice_orders(current_user.store_id))


def _voice_or_404(voice_id):
    found = voice.get_voice_order(current_user.store_id, voice_id)
    if found is None:
        abort(404)
    return found


@bp.get("/console/voice/<int:voice_id>")
@staff_only
def detail(voice_id):
    """Listen, search products, add them to the resident's cart, then mark the cart ready."""
    request_ = _voice_or_404(voice_id)
    query = request.args.get("q", "")
    return render_template("voice/detail.html", req=request_, query=query,
                           products=voice.find_products(current_user.store_id, query) if query else [],
                           lines=voice.voice_lines(request_.user_id, request_.id))


@bp.post("/console/voice/<int:voice_id>/items")
@staff_only
def add_item(voice_id):
    """Put a product into the resident's cart for this voice order."""
    request_ = _voice_or_404(voice_id)
    try:
        with transaction():
            voice.add_for_resident(current_user, request_, request.form.get("product_id"),
                                   request.form.get("quantity", 1, type=db_int) or 1, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("voice.detail", voice_id=voice_id, q=request.form.get("q", "")), 303)


@bp.post("/console/voice/<int:voice_id>/ready")
@staff_only
def mark_ready(voice_id):
    """Tell the resident their cart is ready to confirm."""
    request_ = _voice_or_404(voice_id)
    try:
        with transaction():
            voice.mark_cart_ready(current_user, request_, utcnow())
    except errors.StatusConflict:
        flash(_("Someone else already handled this voice order."), "error")
        return redirect(url_for("voice.queue"), 303)
    flash(_("The resident has been asked to confirm the cart."), "success")
    return redirect(url_for("voice.queue"), 303)


@bp.get("/console/voice/<int:voice_id>/audio")
@staff_only
def audio(voice_id):
    """The voice note itself, for staff only."""
    request_ = _voice_or_404(voice_id)
    path = voice.audio_path(request_)
    if path is None:
        abort(404)
    return send_file(path, mimetype=request_.audio_mime, max_age=0)
