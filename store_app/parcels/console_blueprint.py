"""The parcel station at the counter (staff and owner): the blueprint alone, importing nothing back.
Its pages are registered by ``checkin_views`` (check-in, batch, CSV, shelves, carriers),
``handover_views`` (handover by code or label) and ``station_views`` (the return list, reports,
the owner's parcel settings); create_app imports those three, then registers the blueprint."""
from flask import Blueprint

bp = Blueprint("parcel_console", __name__)
