"""The console's device tokens (/console/devices): staff make a token for a counter tablet or a
courier's phone, see the store's tokens and revoke one. The token is shown once, on the page that
answers its creation (never flashed, never in a URL: it would be kept in the session or a log)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.forms import EmptyForm, choice_list, show_error
from ..web.guards import role_required
from ..web.i18n import localized
from ..web.params import db_int
from . import devices, errors
from .forms import DeviceTokenForm

bp = Blueprint("devices", __name__)


def _form_with_accounts():
    form = DeviceTokenForm()
    form.user_id.choices = choice_list([("", _("Choose an account"))] + [
        (str(account.id), f"{localized(account)} · {_('Staff') if account.role == Role.STAFF else _('Courier')}")
        for account in devices.list_device_accounts(current_user.store_id)])
    return form


def _page(form, status=200, *, new_token=None, new_device=None):
    tokens = devices.list_device_tokens(current_user.store_id)
    return render_template("console/devices.html", form=form, tokens=tokens, new_token=new_token,
                           new_device=new_device, action_form=EmptyForm()), status


@bp.route("/console/devices", methods=["GET", "POST"])
@role_required(Role.STAFF, Role.OWNER)
def tokens():
    """The store's device tokens, and the form that makes one (its token shown once, here)."""
    form = _form_with_accounts()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        user_id = db_int(form.user_id.data or "")
    except ValueError:
        user_id = None
    try:
        with transaction():
            device, token = devices.create_device_token(current_user, user_id=user_id, name=form.name.data,
                                                        now=utcnow())
            device_name = device.name
    except DomainError as exc:
        show_error(form, exc)
        return _page(form, 400)
    return _page(_form_with_accounts(), new_token=token, new_device=device_name)


@bp.post("/console/devices/<int:token_id>/revoke")
@role_required(Role.STAFF, Role.OWNER)
def revoke(token_id):
    """Revoke a token of this store: the device's next request is refused (401)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            device = devices.revoke_device_token(current_user, token_id, utcnow())
            name = device.name
    except errors.DeviceTokenNotFound:
        abort(404)
    flash(_("The token of %(name)s no longer works.", name=name), "success")
    return redirect(url_for("devices.tokens"), 303)
