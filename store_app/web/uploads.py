"""Routes that take a file (photos, voice notes, CSV and GeoJSON files): each reads at most its own
cap (``bodies.body_limit``), and each account may send a limited number of files per window across
all of them together (``UPLOAD_LIMIT_PER_ACCOUNT``, e.g. 30 an hour): one counter, shared by every
upload route. A request that carries no file (a form saved without a new photo, pasted CSV lines)
does not count. Past the limit: 429 with a clear message, before the file is looked at.
"""
from flask import current_app, make_response, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..extensions import limiter
from .bodies import body_limit
from .errors import render_error

UPLOAD_LIMIT = "30 per hour"
# What a form sends besides its file: the other fields, the part headers, the CSRF token.
FORM_SLACK_BYTES = 64 * 1024


def _upload_key():
    """Per account (every upload route needs a login); per address only as a fallback."""
    if current_user.is_authenticated:
        return f"uploads:user:{current_user.id}"
    return f"uploads:addr:{get_remote_address()}"


def _sends_no_file():
    return not any(upload.filename for upload in request.files.values())


def _too_many_uploads(limit):
    """The 429 page (JSON under /api/) saying how many files an account may send per window."""
    item = limit.limit
    minutes = max(1, item.get_expiry() // 60)
    message = _("You have sent too many files: at most %(count)d every %(minutes)d minutes per account. "
                "Please try again later.", count=item.amount, minutes=minutes)
    return make_response(render_error(429, message))


upload_limit = limiter.shared_limit(lambda: current_app.config.get("UPLOAD_LIMIT_PER_ACCOUNT", UPLOAD_LIMIT),
                                    scope="uploads", key_func=_upload_key, methods=["POST"],
                                    exempt_when=_sends_no_file, on_breach=_too_many_uploads)


def upload_route(max_file_bytes):
    """Decorator for a view that takes a file of at most ``max_file_bytes`` (an int, or a function of
    the config returning one): its body may be that plus ``FORM_SLACK_BYTES``, and each file sent
    counts against the account's upload limit. Put it below the role guard, so that the guard
    answers first and the account is known."""
    def cap(config):
        size = max_file_bytes(config) if callable(max_file_bytes) else max_file_bytes
        return size + FORM_SLACK_BYTES

    def decorator(view):
        return body_limit(cap)(upload_limit(view))
    return decorator
