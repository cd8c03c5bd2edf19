"""The one base of every domain error.

A domain error says what went wrong in the user's language (``message``, translated when shown), the
HTTP status a view answers with (``status``) and, for a form, the field at fault (``field``). Each
domain has its own base (``OrderError``, ``WalletError``...) under this one, so a view catches
``DomainError`` once and ``store_app.web.errors`` turns any of them into a page or a JSON answer the
same way: nothing maps a status by hand.
"""
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A step the rules refuse. Subclasses set ``message``, ``status`` and ``field`` as class
    attributes, or per instance when the message depends on a value."""

    message = _l("This could not be done.")
    status = 400
    field = None

    def __init__(self, *args, **params):
        super().__init__(*args)
        self.params = params

    def __str__(self):
        return str(self.message)


class ValueTooLong(DomainError):
    """A text longer than the column that would keep it: refused, never cut short without a word.
    ``field`` is the column's name (a form whose field has that name shows it there)."""

    def __init__(self, field, max_length):
        super().__init__(field, max_length)
        self.field = field
        self.message = _l("This text is too long: at most %(max)d characters.", max=max_length)
