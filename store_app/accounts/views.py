"""The way in (the start page, login, registration, the language switch), the 'Me' page with its
addresses and password, and the store team."""
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from ..database import transaction, utcnow
from ..errors import DomainError
from ..extensions import limiter
from ..geo import rules as geo_rules
from ..geo.errors import coordinate_message
from ..geo.operations import delivering_zone, list_buildings_with_coverage, load_delivery_map, nearest_building
from ..roles import Role
from ..stores.context import resolve_store
from ..stores.presenters import store_status
from ..web.forms import EmptyForm, show_error
from ..web.guards import role_required
from ..web.i18n import LANG_COOKIE, localized, select_locale
from ..web.links import safe_next
from . import errors, operations, rules
from .forms import PICKUP_ONLY, AddressForm, LoginForm, MemberNameForm, PasswordForm, RegisterForm, TeamMemberForm

bp = Blueprint("accounts", __name__)
bp.add_app_template_filter(rules.display_phone, "phone")


@bp.get("/")
def home():
    """Visitors see the store and how to join; logged-in users go to their role's home."""
    if current_user.is_authenticated:
        return redirect(url_for(rules.home_endpoint(current_user.role)))
    store = resolve_store()
    return render_template("accounts/welcome.html", store=store, status=store_status(store, utcnow()))


@bp.post("/lang")
def switch_language():
    """Switch the language (POST, CSRF-checked), remember it in a cookie and on the account."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path,
                       url_for("accounts.home"))
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
        if current_user.is_authenticated:
            with transaction():
                operations.set_locale(current_user, lang)
    return response


def _login_phone():
    """The account a login form names: its normalised phone number (or what was typed, if not one)."""
    phone = request.form.get("phone", "")
    try:
        return rules.normalise_phone(phone)
    except rules.InvalidPhone:
        return phone.strip()[:32]


def _login_key():
    """One account from one address: the tight limit. Someone else's guessing elsewhere never counts."""
    return f"login:{_login_phone()}:{get_remote_address()}"


def _login_account_key():
    """One account from anywhere: the last resort, against guesses spread over many addresses."""
    return f"login-account:{_login_phone()}"


def _login_refused(message):
    """The login page again, the phone kept, with a 429 and ``message``."""
    def breached(_limit):
        form = LoginForm()
        form.password.data = ""
        flash(message(), "error")
        return make_response(render_template("accounts/login.html", form=form), 429)
    return breached


def _failed_login(response):
    return response.status_code != 302


_too_many_here = _login_refused(lambda: _("Too many login attempts. Please wait 15 minutes and try again."))
_too_many_from_address = _login_refused(
    lambda: _("Too many failed logins from this network. Please wait 15 minutes and try again."))
_account_protected = _login_refused(
    lambda: _("This phone number has had many failed logins from different places, so it is protected for "
              "an hour. Please try again later, or ask the store to reset your password."))


def _building_choices(form, store, pickup_choice=False):
    """The store's buildings, each saying whether the store delivers there (in words, not only a
    colour: the option's text); at registration also "I live farther away: pickup at the store"."""
    choices = [SelectChoice("", _("Choose your building"))]
    for building, zone in list_buildings_with_coverage(store.id):
        label = (_("%(name)s · we deliver", name=building.name) if zone is not None
                 else _("%(name)s · outside our delivery area, pickup at the store", name=building.name))
        choices.append(SelectChoice(str(building.id), label,
                                    render_kw={"data-delivers": "yes" if zone is not None else "no"}))
    if pickup_choice:
        choices.append(SelectChoice(PICKUP_ONLY, _("I live farther away: pickup at the store"),
                                    render_kw={"data-delivers": "pickup"}))
    form.building_id.choices = choices


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"], key_func=_login_key,
               methods=["POST"], deduct_when=_failed_login, on_breach=_too_many_here)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed_login, on_breach=_too_many_from_address)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_account_key,
               methods=["POST"], deduct_when=_failed_login, on_breach=_account_protected)
def login():
    """Log in by phone and password; the same message for an unknown phone and a wrong password."""
    if current_user.is_authenticated:
        return redirect(url_for(rules.home_endpoint(current_user.role)))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = operations.authenticate(form.phone.data, form.password.data)
        if user is not None:
            session.clear()  # rotate: nothing from before the login survives
            with transaction():
                operations.record_login(user, utcnow())
            login_user(user)
            session.permanent = True
            return redirect(safe_next(form.next.data, url_for(rules.home_endpoint(user.role))))
        flash(_("The phone number or password is not right."), "error")
    form.password.data = ""
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Log out and end every session of this account (a stolen cookie stops working too)."""
    with transaction():
        operations.end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A resident signs up with phone, name, password and a default address."""
    if current_user.is_authenticated:
        return redirect(url_for(rules.home_endpoint(current_user.role)))
    store = resolve_store()
    form = RegisterForm()
    if not form.is_submitted() and request.args.get("invite"):
        form.invite_code.data = request.args.get("invite", "")[:20]  # from an invite link
    _building_choices(form, store, pickup_choice=True)
    status = 200
    if form.validate_on_submit():
        pickup_only = form.building_id.data == PICKUP_ONLY
        try:
            with transaction():
                user = operations.register_resident(
                    store.id, form.phone.data, form.name.data, form.password.data,
                    None if pickup_only else form.building_id.data, form.unit.data, locale=str(select_locale()),
                    extras={"invite_code": form.invite_code.data or ""}, now=utcnow())
        except DomainError as exc:
            show_error(form, exc)
            status = exc.status
        else:
            session.clear()
            login_user(user)
            session.permanent = True
            flash(_("Welcome, %(name)s!", name=localized(user)), "success")
            if pickup_only or not user.addresses or not delivering_zone(store.id, (
                    user.addresses[0].building.lat, user.addresses[0].building.lon)):
                flash(_("We don't deliver to where you live, but you can order here and collect your order at "
                        "the store's counter: choose pickup at the store at checkout."), "info")
            return redirect(url_for(rules.home_endpoint(user.role)))
    elif form.is_submitted():
        status = 400
    form.password.data = ""
    return render_template("accounts/register.html", form=form, store=store), status


@bp.get("/register/where")
def register_where():
    """For "use my location" before signing up: the phone's position on the map of the zones, and
    whether the store delivers there (with the nearest building of ours, if one is close)."""
    store = resolve_store()
    try:
        point = geo_rules.parse_point(request.args.get("lat"), request.args.get("lon"))
    except geo_rules.CoordinateError as exc:
        return render_template("accounts/_where_you_are.html", error=coordinate_message(exc)), 400
    nearest = nearest_building(store.id, point, current_app.config["NEAREST_BUILDING_MAX_M"])
    building = nearest[0] if nearest else None
    zone = delivering_zone(store.id, (building.lat, building.lon) if building else point)
    return render_template("accounts/_where_you_are.html", store=store, building=building, zone=zone,
                           building_m=nearest[1] if nearest else None,
                           distance_km=geo_rules.haversine_m((store.lat, store.lon), point) / 1000,
                           view=load_delivery_map(store, point=point, enabled_only=True))


@bp.get("/me")
@login_required
def me():
    """The user's own page: profile, language, addresses, password, logout."""
    form = AddressForm()
    _building_choices(form, current_user.store)
    return render_template("accounts/me.html", address_form=form, action_form=EmptyForm())


@bp.post("/me/addresses")
@login_required
def add_address():
    """Add a delivery address; the page comes back filled in on a mistake."""
    form = AddressForm()
    _building_choices(form, current_user.store)
    if form.validate_on_submit():
        try:
            with transaction():
                operations.add_address(current_user, form.building_id.data, form.unit.data, form.label.data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            flash(_("Address added."), "success")
            return redirect(url_for("accounts.me"))
    return render_template("accounts/me.html", address_form=form, action_form=EmptyForm()), 400


def _address_action(verb, address_id, done_message):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.me"))
    try:
        with transaction():
            verb(current_user, address_id)
    except errors.AddressNotFound:
        abort(404)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(done_message, "success")
    return redirect(url_for("accounts.me"))


@bp.post("/me/addresses/<int:address_id>/default")
@login_required
def make_default_address(address_id):
    """Make this address the default one (someone else's address answers 404)."""
    return _address_action(operations.set_default_address, address_id, _("Default address changed."))


@bp.post("/me/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id):
    """Delete one of the user's addresses (never the last)."""
    return _address_action(operations.remove_address, address_id, _("Address deleted."))


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session ends, this one continues."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            with transaction():
                operations.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            session.clear()
            login_user(user)  # this device keeps going under the new session version
            session.permanent = True
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.me"))
    return render_template("accounts/password.html", form=form)


@bp.route("/console/team", methods=["GET", "POST"])
@role_required(Role.STAFF, Role.OWNER)
def team():
    """Staff and owner see the store's team and add staff and courier accounts."""
    form = TeamMemberForm()
    status = 200
    if form.validate_on_submit():
        try:
            with transaction():
                member = operations.create_team_account(
                    current_user, form.role.data, form.phone.data, form.name.data, form.password.data,
                    name_en=form.name_en.data)
        except DomainError as exc:
            show_error(form, exc)
            status = 400
        else:
            flash(_("Account created for %(name)s.", name=localized(member)), "success")
            return redirect(url_for("accounts.team"))
    elif request.method == "POST":
        status = 400
    form.password.data = ""
    members = operations.list_team(current_user.store_id)
    return render_template("accounts/team.html", form=form, members=members, action_form=EmptyForm()), status


@bp.route("/console/team/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.STAFF, Role.OWNER)
def edit_member(user_id):
    """A team member's name and its Latin spelling for English pages (another store's answers 404)."""
    member = operations.get_team_member(current_user, user_id)
    if member is None:
        abort(404)
    form = MemberNameForm(obj=member)
    if form.validate_on_submit():
        try:
            with transaction():
                member = operations.rename_member(current_user, user_id, form.name.data, form.name_en.data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            flash(_("Saved: %(name)s.", name=localized(member)), "success")
            return redirect(url_for("accounts.team"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/member.html", form=form, member=member), status


@bp.post("/console/team/<int:user_id>/<any(enable, disable):action>")
@role_required(Role.STAFF, Role.OWNER)
def set_member_enabled(user_id, action):
    """Disable (ending their sessions) or re-enable a staff or courier account of this store."""
    if EmptyForm().validate_on_submit():
        try:
            with transaction():
                member = operations.set_enabled(current_user, user_id, action == "enable")
        except errors.MemberNotFound:
            abort(404)
        flash(_("%(name)s can log in again.", name=localized(member)) if member.is_enabled
              else _("%(name)s can no longer log in.", name=localized(member)), "success")
    return redirect(url_for("accounts.team"))
