"""WSGI entry point: ``gunicorn wsgi:app``. The only place an app is built at import time."""
from store_app import create_app

app = create_app()
