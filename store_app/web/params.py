"""Reading numbers from URLs, query strings and forms without letting a hostile one through.

The database's integers end at 2^31 - 1 (PostgreSQL ``integer``); a larger id in a path, a query
string or a form cannot name anything, so it is refused where it is read, never sent to the
database. Digits are ASCII digits only (``"²"`` and ``"١٢"`` are digits to ``str.isdigit``, not to
``int``).
"""
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2 ** 31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in routes: a non-negative id the database can hold; anything larger is no route (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's own argument name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def db_int(text):
    """An integer the database can hold, from a form or query value; ``ValueError`` otherwise (so
    ``request.args.get(name, type=db_int)`` gives the default for nonsense)."""
    text = str(text).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not (digits.isascii() and digits.isdigit()) or len(digits) > 10:
        raise ValueError(text)
    value = int(text)
    if not -MAX_ID - 1 <= value <= MAX_ID:
        raise ValueError(text)
    return value


def chosen_id(values, name):
    """A radio choice of an id in a form: None when the form has no such field, 0 for "none" (``0`` or
    empty), the id, or -1 for nonsense (names nothing: the operation refuses it with its own message)."""
    raw = values.get(name)
    if raw is None:
        return None
    if str(raw).strip() in ("", "0"):
        return 0
    try:
        value = db_int(raw)
    except ValueError:
        return -1
    return value if value > 0 else -1


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deep to parse is bad JSON (``ValueError``, so a
    400), not a ``RecursionError`` (a 500)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


def json_object(request):
    """The request's JSON body when it is an object; ``{}`` when there is none; a 400 when it is
    not JSON or not an object (an array, a string, a number)."""
    if not request.is_json:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest()
    return data


def init_app(app):
    """Route ids are bounded (``<int:...>`` everywhere); JSON nested too deep is a bad request."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = JSONProvider(app)
