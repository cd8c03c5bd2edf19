"""Cross-cutting web parts: error pages, role guards, template filters, languages, health."""
from . import errors, filters, i18n, page_cache


def init_app(app):
    """Register error pages, template helpers, the language switch and the health endpoint."""
    errors.init_app(app)
    filters.init_app(app)
    i18n.init_app(app)
    page_cache.init_app(app)
    from .views import bp
    app.register_blueprint(bp)
