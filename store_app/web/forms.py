"""Small helpers shared by forms."""
from flask import flash
from flask_wtf import FlaskForm
from wtforms import SelectChoice


class EmptyForm(FlaskForm):
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
