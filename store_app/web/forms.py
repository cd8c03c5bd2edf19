"""The app's form base and small helpers shared by forms."""
from flask import flash, has_request_context, request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import SelectChoice


class Form(FlaskForm):
    """Every form of the app: a posted form is what the browser posted (fields and files), nothing else.

    Flask-WTF would read a JSON body as the form's data (a JSON array or string there is a crash, not
    an answer; JSON is for ``/api/``, which reads it as an object or refuses it), and a field missing
    from a post would keep the value of the object being edited, of whatever type it is there.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json:
                return ImmutableMultiDict() if form.is_submitted() else None  # posted, but nothing a form can read
            return super().wrap_formdata(form, formdata)

    def __init__(self, formdata=_Auto, **kwargs):
        if formdata is _Auto and has_request_context() and request.method in SUBMIT_METHODS:
            kwargs.pop("obj", None)  # a post says every field itself: a missing one is empty
        super().__init__(formdata=formdata, **kwargs)


class EmptyForm(Form):
    """A form with nothing but its CSRF token, for buttons that post an action."""


def choice_list(pairs):
    """``[(value, label), ...]`` -> WTForms ``SelectChoice`` objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def show_error(form, exc):
    """Put a domain error on the form field it names (or flash it), so the page comes back filled in."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
    else:
        flash(exc.message, "error")
