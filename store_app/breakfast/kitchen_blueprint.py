"""The kitchen's console (staff and owner): the blueprint alone, importing nothing back. Its pages are
registered by ``kitchen_views`` (prep sheets, labels, changes after the cutoff) and ``desk_views`` (the
pickup desk, the printable card); create_app imports both, then registers the blueprint."""
from flask import Blueprint

from ..roles import Role
from ..web.guards import role_required

bp = Blueprint("breakfast_kitchen", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)
