"""The app that ``bench/web.py`` serves with gunicorn: the real application, plus one bare route
(``/bench/bare``, a constant JSON answer) measured as the baseline in the same server and run.

Built by a factory (``gunicorn 'web_app:create_bench_app()'``), so importing this module builds nothing.
The application's code is not touched: the route is added to the app ``create_app()`` returns.
"""
from flask import jsonify

from store_app import create_app


def create_bench_app():
    """``create_app()`` (config from the environment) with the bare baseline route added."""
    app = create_app()

    @app.get("/bench/bare")
    def bench_bare():
        return jsonify(ok=True)

    return app
