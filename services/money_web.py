"""Web helpers shared by the money views of vendors and staff (not a views module: it registers no
route): whose vendor a login is, a statement as a download, and the one way a posted form runs."""
from flask import flash, make_response, redirect, url_for

from store_app.database import transaction
from store_app.web.csv_files import csv_text
from store_app.web.forms import show_error

from . import statements
from .errors import ServiceError
from .vendor_setup import get_vendor_for_user


def vendor_of_user(user_id):
    """``(vendor, is_owner)`` for a vendor login (the owner, or an active crew member), or ``(None, False)``."""
    vendor = get_vendor_for_user(user_id)
    return vendor, vendor is not None and vendor.owner_id == user_id


def export_response(statement, tz_name, kind):
    """The statement as a CSV or XLSX download."""
    name = f"statement-{statement.vendor.id}-{statement.month.strftime('%Y-%m')}.{kind}"
    if kind == "csv":
        response = make_response(csv_text(statements.export_rows(statement, tz_name)).encode("utf-8"))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response = make_response(statements.xlsx_bytes(statement, tz_name))
        response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def submit(form, step, page, form_for, done, endpoint, **endpoint_args):
    """Run one posted ``form``: ``step()`` inside ``transaction()``. Refused (invalid, or a domain error
    other than 404, which rises): ``page(status, form, form_for)`` with the message on the form. Done:
    flash ``done`` (a function for a message that needs the result) and go to ``endpoint``."""
    if not form.validate_on_submit():
        return page(400, form, form_for)
    try:
        with transaction():
            step()
    except ServiceError as exc:
        if exc.status == 404:
            raise
        show_error(form, exc)
        return page(exc.status, form, form_for)
    flash(done() if callable(done) else done, "success")
    return redirect(url_for(endpoint, **endpoint_args), 303)
