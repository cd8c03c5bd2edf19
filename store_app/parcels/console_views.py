"""The parcel station at the counter (staff and owner): check-in (one, batch, CSV), shelves and
carriers, handover by code, the return list, reports. The blueprint is registered by create_app."""
from flask import Blueprint

bp = Blueprint("parcel_console", __name__)

from . import checkin_views  # noqa: E402,F401  (registers the check-in, CSV, shelves and carriers pages on ``bp``)
from . import handover_views  # noqa: E402,F401
