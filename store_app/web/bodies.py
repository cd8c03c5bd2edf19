"""How much of a request body the app reads: at most the limit, whether the client says the length
(``Content-Length``) or streams it (``Transfer-Encoding: chunked``), and a 413 past it.

Why this exists. gunicorn (and Werkzeug's own server for chunked requests) sets
``wsgi.input_terminated``; Werkzeug then wraps a body of unknown length in a ``LimitedStream``
capped at ``MAX_CONTENT_LENGTH`` that raises 413 only when something reads *after* reaching the
cap. The multipart parser does (it reads until the stream is empty), but ``stream.read()`` with no
size stops at the cap without looking further: a chunked urlencoded form, ``request.get_data()``
or ``request.get_json()`` silently got the first ``MAX_CONTENT_LENGTH`` bytes of a bigger body and
went on as if that were all of it. Here a stream of unknown length that reaches its cap reads one
more byte: end of body, fine; anything more, 413. Never more than the cap plus one byte is read.

A view that takes a file declares its own cap with ``body_limit`` (bytes, or a function of the
config), so a voice note's route reads 3 MB and a bit, not the app's 8 MB; every other route keeps
``MAX_CONTENT_LENGTH``. The cap is known before anything reads the body (the CSRF check reads the
form before the view runs): it is looked up from the matched view.
"""
from flask import Request, current_app
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_content_length, get_input_stream

KILOBYTE, MEGABYTE = 1024, 1024 * 1024


def format_size(size):
    """``3145728`` -> ``"3 MB"``, ``2621440`` -> ``"2.5 MB"``, ``65536`` -> ``"64 kB"``: for messages."""
    if size < MEGABYTE:
        return f"{max(1, round(size / KILOBYTE))} kB"
    return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"


class BodyTooLarge(RequestEntityTooLarge):
    """413: the body is over the limit of its route; the page says the limit, in the user's language."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit

    @property
    def user_message(self):
        return _("At most %(size)s can be sent at once.", size=format_size(self.limit))


class StreamingLimit(LimitedStream):
    """A body of unknown length capped at ``limit``: reading up to the cap is fine; at the cap, one
    more byte is read to tell the end of the body (nothing more: fine) from a bigger one (413)."""

    def __init__(self, stream, limit):
        super().__init__(stream, limit, is_max=True)

    def on_exhausted(self):
        if self._stream.read(1):
            raise BodyTooLarge(self.limit)

    def readall(self):
        data = super().readall()  # stops at the cap without looking past it
        if self.is_exhausted:
            self.on_exhausted()
        return data


def limited_input_stream(environ, max_bytes):
    """The request body as a stream that never yields more than ``max_bytes`` (None: no cap of ours).

    A declared length over the cap is refused before reading; a streamed body is cut by
    ``StreamingLimit``; otherwise Werkzeug's own stream (capped at the declared length, or empty when
    the server cannot say where the body ends).
    """
    length = get_content_length(environ)
    if max_bytes is not None and length is not None and length > max_bytes:
        raise BodyTooLarge(max_bytes)
    if max_bytes is not None and length is None and "wsgi.input_terminated" in environ:
        return StreamingLimit(environ["wsgi.input"], max_bytes)
    return get_input_stream(environ, max_content_length=max_bytes)


def body_limit(max_bytes):
    """Decorator: this view reads at most ``max_bytes`` of body (an int, or a function of the app's
    config returning one) instead of ``MAX_CONTENT_LENGTH``. Put it below the route decorator; the
    guards above it must keep ``functools.wraps`` (they do), which carries the mark up."""
    def decorator(view):
        view.max_body_bytes = max_bytes
        return view
    return decorator


def declared_limit(view):
    """The body cap a view declared with ``body_limit``, in bytes, or None."""
    limit = getattr(view, "max_body_bytes", None)
    return limit(current_app.config) if callable(limit) else limit


class StoreRequest(Request):
    """Flask's request, with the cap of the matched view and a streamed body cut at its cap."""

    @property
    def max_content_length(self):
        if self._max_content_length is not None:  # set on this request explicitly
            return self._max_content_length
        if current_app and self.url_rule is not None:
            limit = declared_limit(current_app.view_functions.get(self.url_rule.endpoint))
            if limit is not None:
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        """The temporary file of an uploaded file's part, remembered so that ``close`` closes it even
        when parsing stopped half-way (a body over its limit) and the part never reached ``files``."""
        stream = super()._get_file_stream(total_content_length, content_type, filename, content_length)
        self.__dict__.setdefault("_part_streams", []).append(stream)
        return stream

    def close(self):
        super().close()
        for stream in self.__dict__.pop("_part_streams", ()):
            stream.close()

    @cached_property
    def stream(self):
        if self.shallow:
            raise RuntimeError("This request was created with 'shallow=True', reading from the input "
                               "stream is disabled.")
        return limited_input_stream(self.environ, self.max_content_length)


def init_app(app):
    """Every request of the app reads its body through ``StoreRequest``."""
    app.request_class = StoreRequest
