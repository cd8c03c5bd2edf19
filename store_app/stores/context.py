"""Which store a request is about."""
from flask import abort, request
from flask_login import current_user

from ..web.params import db_int
from . import operations


def resolve_store():
    """The logged-in user's store; for visitors the store named by ``?store=``, else the first one.

    404 when there is no such store (or no store at all yet: run ``flask seed-demo``).
    """
    if current_user.is_authenticated:
        return current_user.store
    if "store" in request.args:
        store = operations.get_store(request.args.get("store", type=db_int))
        if store is None:  # a bad link must not sign anyone up with the wrong store
            abort(404)
        return store
    store = operations.get_first_store()
    if store is None:
        abort(404)
    return store
