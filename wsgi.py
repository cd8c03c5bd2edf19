"""WSGI entry point: ``gunicorn wsgi:app``. The only place an app is built at import time.

What a server runs is production unless ``STORE_ENV`` says otherwise: a forgotten setting must never
serve the development configuration (no ``Secure`` cookie, a generated key). ``make run`` and
``flask run`` are for development and choose it themselves.
"""
import os

from store_app import create_app


def environment():
    """``STORE_ENV``, else development under ``flask run`` (a developer's server), else production."""
    if os.environ.get("STORE_ENV"):
        return os.environ["STORE_ENV"]
    return "development" if os.environ.get("FLASK_RUN_FROM_CLI") == "true" else "production"


app = create_app(environment())
