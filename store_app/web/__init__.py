"""Cross-cutting web parts: error pages, role guards, template filters, languages, health."""
from . import api, bodies, errors, filters, i18n, page_cache, params


def init_app(app):
    """Register bounded request bodies and route ids, error pages, template helpers, languages and the
    health endpoint."""
    bodies.init_app(app)
    params.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    i18n.init_app(app)
    page_cache.init_app(app)
    api.init_app(app)
    from .views import bp
    app.register_blueprint(bp)
