"""The breakfast console's blueprint alone, importing nothing back. Its pages are registered by
``console_views`` (days, calendar) and ``menu_views`` (menu, photos, the owner's settings);
create_app imports those two, then registers the blueprint."""
from flask import Blueprint

from ..roles import Role
from ..web.guards import role_required
from . import console_presenters

bp = Blueprint("breakfast_console", __name__)
console_presenters.init_blueprint(bp)
staff_only = role_required(Role.STAFF, Role.OWNER)
owner_only = role_required(Role.OWNER)
