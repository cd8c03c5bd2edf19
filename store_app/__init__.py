"""The community store's Flask application."""
import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app: config -> extensions -> CLI -> blueprints -> periodic jobs. Wiring only, no work."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("STORE_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(load_config(config))
    _ensure_secret_key(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1)

    _init_extensions(app)
    _register_cli(app)
    _register_blueprints(app)
    _register_periodic_jobs(app)
    _register_work_items(app)
    _register_domain_hooks()
    return app


def _ensure_secret_key(app):
    """Development without SECRET_KEY: a random key, made once and kept in the instance folder."""
    if app.config.get("SECRET_KEY") or not app.config.get("GENERATE_SECRET_KEY"):
        return
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _init_extensions(app):
    from . import models  # noqa: F401  (the whole schema, for Alembic and create_all)
    from .accounts import activity as account_activity, session as account_sessions
    from .extensions import csrf, db, limiter, migrate
    from .geo import geocoding
    from . import web

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    account_sessions.init_app(app)
    account_activity.init_app(app)
    web.init_app(app)
    geocoding.init_app(app)


def _register_cli(app):
    # `flask dispatch ...` comes from the dispatch package through the "flask.commands" entry point
    # (setup.cfg): store_app imports only the pure parts of dispatch.
    from .demo import cli as demo_cli
    from .jobs import cli as jobs_cli
    from .parcels import cli as parcels_cli
    from .reports import cli as reports_cli
    from .uploads import cli as uploads_cli

    demo_cli.init_app(app)
    jobs_cli.init_app(app)
    parcels_cli.init_app(app)
    reports_cli.init_app(app)
    uploads_cli.init_app(app)


def _register_blueprints(app):
    from .accounts.device_views import bp as devices_bp
    from .accounts.views import bp as accounts_bp
    # Each breakfast blueprint gets its pages from the view modules imported before it.
    from .breakfast import console_views, desk_views, kitchen_views, menu_views  # noqa: F401
    from .breakfast import subscription_views as _bf_subscriptions, views as _bf_views  # noqa: F401
    from .breakfast import growth_segments as _bf_segments  # noqa: F401  (breakfast parents, for growth)
    from .breakfast.api_views import bp as breakfast_api_bp
    from .breakfast.blueprint import bp as breakfast_bp
    from .breakfast.console_blueprint import bp as breakfast_console_bp
    from .breakfast.kitchen_blueprint import bp as breakfast_kitchen_bp
    from .catalogue.views import bp as catalogue_bp
    from .deliveries.views import bp as deliveries_bp
    from .fulfilment.board_views import bp as order_board_bp
    from .fulfilment.courier_api_views import bp as courier_api_bp
    from .fulfilment.courier_views import bp as courier_bp
    from .fulfilment.dispatch_board_views import bp as dispatch_board_bp
    from .fulfilment.pickup_views import bp as pickup_counter_bp
    from .fulfilment.views import bp as fulfilment_bp
    from .geo.views import bp as geo_bp
    # Growth's console pages are registered on its blueprint by these two modules: import them first.
    from .growth import campaign_views, coupon_console_views  # noqa: F401
    from .growth.console_blueprint import bp as growth_console_bp
    from .growth.coupon_api_views import bp as coupon_api_bp
    from .growth.coupon_views import bp as coupons_bp
    from .growth.push_views import bp as growth_pushes_bp
    from .growth.points_api_views import bp as points_api_bp
    from .growth.points_views import bp as points_bp
    from .growth.referral_views import bp as referrals_bp
    from .notifications.views import bp as notifications_bp
    from .orders.shop_views import bp as shop_bp
    from .orders.review_api_views import bp as review_api_bp
    from .orders.review_console_views import bp as review_console_bp
    from .orders.review_views import bp as reviews_bp
    from .orders.views import bp as orders_bp
    from .orders.coupon_api_views import bp as coupon_apply_api_bp
    from .orders.voice_views import bp as voice_bp
    # parcels.door rides on delivery orders (orders.riders) and hears when they end (fulfilment.moves.on_finish).
    from .parcels import door as _parcel_door  # noqa: F401
    # The parcel console's pages are registered on its blueprint by these three modules: import them first.
    from .parcels import checkin_views, handover_views, station_views  # noqa: F401
    from .parcels.console_blueprint import bp as parcel_console_bp
    from .parcels.views import bp as parcels_bp
    from .partners.views import bp as partners_bp
    from .reports.board_views import bp as board_bp
    from .reports.views import bp as reports_bp
    from .staffing.views import bp as staffing_bp
    from .stores.views import bp as stores_bp
    from .wallet.views import bp as wallet_bp

    for blueprint in (stores_bp, accounts_bp, devices_bp, geo_bp, deliveries_bp, shop_bp, orders_bp, voice_bp,
                      catalogue_bp, fulfilment_bp, order_board_bp, courier_bp, courier_api_bp, dispatch_board_bp,
                      partners_bp, wallet_bp, notifications_bp, parcels_bp, parcel_console_bp, staffing_bp, reports_bp,
                      board_bp, breakfast_console_bp, coupons_bp, coupon_api_bp, coupon_apply_api_bp,
                      growth_console_bp, growth_pushes_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(pickup_counter_bp)
    app.register_blueprint(breakfast_kitchen_bp)
    app.register_blueprint(breakfast_bp)
    app.register_blueprint(breakfast_api_bp)
    for blueprint in (reviews_bp, review_console_bp, review_api_bp,  # reviews of goods and orders
                      points_bp, referrals_bp, points_api_bp):
        app.register_blueprint(blueprint)
    # The service marketplace (the top-level ``services`` package) registers its blueprints and jobs.
    import services

    services.init_app(app)


def _register_periodic_jobs(app):
    """Each domain's job provider, for ``flask jobs scheduler``; only the scheduler ever calls them.

    The dispatcher's per-store cycle comes through the "community_store.periodic_jobs" entry point
    (setup.cfg), like its CLI: store_app imports only the pure parts of dispatch.
    """
    from .breakfast import jobs as breakfast_jobs
    from .growth import jobs as growth_jobs
    from .jobs.registry import register
    from .notifications import jobs as notification_jobs
    from .parcels import jobs as parcel_jobs
    from .reports import jobs as report_jobs

    register(app, notification_jobs.periodic_jobs)
    register(app, parcel_jobs.periodic_jobs)
    register(app, breakfast_jobs.periodic_jobs)
    register(app, growth_jobs.periodic_jobs)
    register(app, report_jobs.periodic_jobs)


def _register_work_items(app):
    """Each domain's lines on the counter's work list (``store_app.web.worklist``), in no order: the list
    sorts them. A new line of business adds its provider here."""
    from .breakfast import worklist as breakfast_work
    from .catalogue import worklist as catalogue_work
    from .fulfilment import worklist as delivery_work
    from .orders import worklist as order_work
    from .parcels import worklist as parcel_work
    from .web.worklist import register

    for module in (order_work, delivery_work, parcel_work, catalogue_work, breakfast_work):
        register(app, module.work_items)


def _register_domain_hooks():
    """Handlers a domain registers with one below it (which may not import it): growth's points and
    referrals hear of purchases and of new residents."""
    from .growth import hooks as growth_hooks

    growth_hooks.register_handlers()
