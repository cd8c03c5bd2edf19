"""The service marketplace: vetted vendors (cleaning, locksmith, drain unclogging, small repairs),
their offerings and availability, bookings that can never double-book a crew, jobs accepted on time
or re-offered, the store's written guarantee, reviews, scores and standing, commission statements.

A line of business beside parcels and breakfast: it imports the base and the rung-0 parts of
``store_app`` only; ``store_app`` imports it to register its schema, blueprints and jobs.
"""


def init_app(app):
    """Register the marketplace on the app: its view modules (which put routes on the blueprints),
    the blueprints, and its periodic jobs. The only thing ``store_app`` calls."""
    from store_app.jobs.registry import register

    from . import jobs
    from .blueprints import api_bp, console_bp, resident_bp, vendor_bp
    # View modules: each puts its routes on one of the blueprints above when imported (add yours here).
    from . import vendor_offer_views, vendor_views, vetting_views  # noqa: F401  (vendors: apply, vet, set up)
    from . import api_views, console_booking_views, resident_views  # noqa: F401
    from . import job_api_views, job_console_views, job_notices, job_views  # noqa: F401
    from . import aftercare_views, money_console_views, money_views  # noqa: F401

    for blueprint in (resident_bp, vendor_bp, console_bp, api_bp):
        app.register_blueprint(blueprint)
    register(app, jobs.periodic_jobs)
