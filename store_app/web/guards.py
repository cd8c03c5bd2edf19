"""Role guards for views. A wrong role is 403; an object of someone else's is a 404 (see views)."""
from functools import wraps

from flask import abort
from flask_login import current_user

from ..extensions import login_manager
from .api import is_api_request


def role_required(*roles):
    """Let only logged-in users with one of ``roles`` through; others go to login (401 on the API)
    or get 403."""
    allowed = {str(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if is_api_request():
                    abort(401)
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        wrapped.allowed_roles = frozenset(allowed)  # what the guard lets through, for tools that read it
        return wrapped
    return decorator
