"""Throwaway databases for the benches: created before a run, dropped after it.

Used by ``bench/web.py`` and ``bench/dispatch_cycle.py``.
"""
import os
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def throwaway_postgres(server_url, prefix):
    """A database ``<prefix>_<pid>`` on the server of ``server_url``, dropped afterwards; yields its URL."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    parts = urlsplit(server_url)
    # Create and drop from the server's maintenance database: the named one need not exist.
    server_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
