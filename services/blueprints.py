"""The marketplace's blueprints. View modules put their routes on them; ``services.init_app``
imports those modules, then registers the blueprints on the app.

- ``resident_bp`` (``services``, ``/services``): residents browse, book, follow, confirm, review, claim.
- ``vendor_bp`` (``vendor``, ``/vendor``): vendors apply, run their jobs, offerings, crews and money.
- ``console_bp`` (``services_console``, ``/console/services``): staff vet, place, decide, watch.
- ``api_bp`` (``services_api``, ``/api/v1/services``): the JSON API.
"""
from flask import Blueprint

resident_bp = Blueprint("services", __name__, url_prefix="/services")
vendor_bp = Blueprint("vendor", __name__, url_prefix="/vendor")
console_bp = Blueprint("services_console", __name__, url_prefix="/console/services")
api_bp = Blueprint("services_api", __name__, url_prefix="/api/v1/services")
