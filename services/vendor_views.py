"""The vendor's own pages (phone layout): applying (public), the vendor's home with its application's
state or its set-up checklist, fixing an application staff sent back, its documents (private), and
its crew. Offerings and hours are ``vendor_offer_views``. Each page finds the vendor of whoever is
logged in with ``vendor_setup.get_vendor_for_user`` (the owner, or an active crew member)."""
from flask import abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from store_app.database import transaction, utcnow
from store_app.errors import DomainError
from store_app.roles import Role
from store_app.stores.context import resolve_store
from store_app.web.forms import EmptyForm, choice_list, show_error
from store_app.web.guards import role_required
from store_app.web.i18n import localized, select_locale
from store_app.web.uploads import upload_route

from . import documents, id_rules, vendor_setup
from .blueprints import vendor_bp
from .models import DocumentKind, VettingStatus
from .vendor_forms import ApplicationFields, ApplyForm, CrewForm
from .vendor_hours import list_rules
from .vendor_offerings import list_offerings
from .vendor_web import attempt, current_vendor, vendor_only

# Three documents at most, each at most 5 MB.
APPLY_MAX_BYTES = 3 * documents.MAX_DOCUMENT_BYTES


def _application_choices(form, store_id):
    form.categories.choices = choice_list([(str(c.id), localized(c)) for c in
                                           vendor_setup.list_active_categories(store_id)])
    form.zones.choices = choice_list([(str(z.id), localized(z)) for z in vendor_setup.list_area_zones(store_id)])


def _ids(values):
    return [int(v) for v in values or () if str(v).isascii() and str(v).isdigit() and len(str(v)) <= 9]


def _read_files(form):
    """The checked document files of the form, or ``DocumentRefused`` (shown on its field)."""
    return {kind.value: documents.read_document(request.files.get(kind.value), kind.value) for kind in DocumentKind}


def _application_values(form):
    return {"name": form.name.data, "kind": form.kind.data, "id_number": form.id_number.data,
            "category_ids": _ids(form.categories.data), "zone_ids": _ids(form.zones.data)}


@vendor_bp.route("/apply", methods=["GET", "POST"])
@upload_route(APPLY_MAX_BYTES)
def apply():
    """Apply to offer services: a new vendor login and an application waiting for staff; a vendor
    login without an application fills in the rest here."""
    if current_user.is_authenticated:
        if current_user.role != Role.VENDOR.value:
            abort(403)
        if vendor_setup.get_vendor_for_user(current_user.id) is not None:
            return redirect(url_for("vendor.home"))
    new_login = not current_user.is_authenticated
    store = resolve_store()
    form = ApplyForm() if new_login else ApplicationFields()
    _application_choices(form, store.id)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate_on_submit():
            vendor, status = _submit_application(form, store, new_login)
            if vendor is not None:
                if new_login:
                    session.clear()
                    login_user(vendor_setup.get_owner_login(vendor))
                    session.permanent = True
                flash(_("Thank you: your application is with the store. You will be told here when it is "
                        "decided."), "success")
                return redirect(url_for("vendor.home"), 303)
    if new_login:
        form.password.data = ""
    return render_template("vendor/apply.html", form=form, new_login=new_login, store=store), status


def _submit_application(form, store, new_login):
    try:
        files = _read_files(form)
    except DomainError as exc:
        show_error(form, exc)
        return None, exc.status
    values = _application_values(form)
    if new_login:
        extra = {"phone": form.phone.data, "password": form.password.data, "locale": str(select_locale())}
    else:
        extra = {"user": current_user._get_current_object()}
    return attempt(form, lambda: vendor_setup.apply(store.id, files=files, now=utcnow(), **values, **extra))


@vendor_bp.get("/")
@vendor_only
def home():
    """The vendor's page: the application's state (waiting, asked for more, refused) or, approved,
    the set-up checklist (offerings, hours, crew)."""
    vendor = vendor_setup.get_vendor_for_user(current_user.id)
    if vendor is None:
        return redirect(url_for("vendor.apply"))
    checklist = {"offerings": any(o.is_active for o in list_offerings(vendor.id)),
                 "hours": bool(list_rules(vendor.id)), "crew": len(vendor_setup.active_crews(vendor)) > 1}
    return render_template("vendor/home.html", vendor=vendor, checklist=checklist,
                           is_owner=vendor.owner_id == current_user.id, masked=_masked(vendor),
                           documents=documents.list_documents(vendor.id))


def _masked(vendor):
    return id_rules.mask_number(vendor.licence_number or vendor.id_number)


def _fill_application(form, vendor):
    form.kind.data, form.name.data = vendor.kind, vendor.name
    form.categories.data = [str(c.id) for c in vendor.categories]
    form.zones.data = [str(z) for z in sorted(vendor_setup.zone_ids_of(vendor.id))]


@vendor_bp.route("/application", methods=["GET", "POST"])
@vendor_only
@upload_route(APPLY_MAX_BYTES)
def fix_application():
    """Answer staff's request for more: correct the fields, add documents, send it again."""
    vendor = current_vendor()
    if vendor.owner_id != current_user.id or vendor.vetting != VettingStatus.MORE_INFO.value:
        abort(404)
    form = ApplicationFields()
    _application_choices(form, vendor.store_id)
    status = 200
    if not form.is_submitted():
        _fill_application(form, vendor)
    elif not form.validate_on_submit():
        status = 400
    else:
        try:
            files = _read_files(form)
        except DomainError as exc:
            show_error(form, exc)
            files, status = None, exc.status
        if files is not None:
            saved, status = attempt(form, lambda: vendor_setup.fix_application(
                vendor, files=files, now=utcnow(), **_application_values(form)))
            if saved is not None:
                flash(_("Your application is sent again. The store will look at it soon."), "success")
                return redirect(url_for("vendor.home"), 303)
    return render_template("vendor/fix_application.html", form=form, vendor=vendor, masked=_masked(vendor),
                           documents=documents.list_documents(vendor.id)), status


@vendor_bp.get("/documents/<int:document_id>")
@role_required(Role.VENDOR, Role.STAFF, Role.OWNER)
def document(document_id):
    """A document of an application: for the vendor's owner and the store's staff; others get 404."""
    found = documents.document_for(current_user, document_id)
    if found is None:
        abort(404)
    document, path = found
    response = send_file(path, mimetype=document.content_type, max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@vendor_bp.get("/photos/<name>")
def offering_photo(name):
    """An offering's photo (residents see offerings, so anyone may fetch it)."""
    path = documents.photo_path(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/webp", max_age=7 * 24 * 3600, conditional=True)


# ---- crew ------------------------------------------------------------------------------------------

@vendor_bp.route("/crew", methods=["GET", "POST"])
@vendor_only
def crew():
    """The vendor's crews: add a crew member (their own login), stop a crew."""
    vendor = current_vendor()
    form, status = CrewForm(), 200
    if form.is_submitted():
        status = 400
        if form.validate_on_submit():
            added, status = attempt(form, lambda: vendor_setup.add_crew(
                vendor, current_user.id, name=form.name.data, phone=form.phone.data, password=form.password.data))
            if added is not None:
                flash(_("Crew added: %(name)s can log in with their phone number now.", name=added.label),
                      "success")
                return redirect(url_for("vendor.crew"), 303)
    form.password.data = ""
    return render_template("vendor/crew.html", vendor=vendor, form=form, stop_form=EmptyForm(formdata=None),
                           is_owner=vendor.owner_id == current_user.id), status


@vendor_bp.post("/crew/<int:crew_id>/stop")
@vendor_only
def stop_crew(crew_id):
    """Stop a crew: it takes no more work and its login is disabled."""
    vendor = current_vendor()
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction():
            vendor_setup.deactivate_crew(vendor, current_user.id, crew_id)
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return render_template("vendor/crew.html", vendor=vendor, form=CrewForm(formdata=None),
                               stop_form=EmptyForm(formdata=None),
                               is_owner=vendor.owner_id == current_user.id), exc.status
    flash(_("Crew stopped."), "info")
    return redirect(url_for("vendor.crew"), 303)
