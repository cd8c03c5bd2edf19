"""Growth's console blueprint alone (staff and the owner): its pages are registered by
``coupon_console_views`` (the coupon editor) and ``campaign_views`` (campaigns and segments); create_app
imports those, then registers the blueprint."""
from flask import Blueprint

from ..roles import Role
from ..web.guards import role_required

bp = Blueprint("growth_console", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)
