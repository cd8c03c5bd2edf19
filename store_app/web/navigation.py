"""Navigation per role. Each line of business adds its own entries here when it lands, so a
tab appears only when there is something behind it."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    icon: str


NAV = {
    Role.RESIDENT: [NavItem("stores.shop", _l("Shop"), "shop"), NavItem("orders.cart", _l("Cart"), "cart"),
                    NavItem("orders.my_orders", _l("Orders"), "receipt"), NavItem("accounts.me", _l("Me"), "me")],
    Role.COURIER: [NavItem("stores.courier_home", _l("Tasks"), "route"), NavItem("accounts.me", _l("Me"), "me")],
    Role.VENDOR: [NavItem("accounts.me", _l("Me"), "me")],
    Role.STAFF: [NavItem("stores.console", _l("Console"), "home"), NavItem("accounts.team", _l("Team"), "team"),
                 NavItem("geo.buildings", _l("Buildings"), "building"), NavItem("accounts.me", _l("Me"), "me")],
    Role.OWNER: [NavItem("stores.dashboard", _l("Dashboard"), "chart"), NavItem("stores.console", _l("Console"), "home"),
                 NavItem("stores.settings", _l("Store"), "store"), NavItem("accounts.team", _l("Team"), "team"),
                 NavItem("geo.buildings", _l("Buildings"), "building"), NavItem("accounts.me", _l("Me"), "me")],
}
# Roles that get the phone layout with a bottom bar; the others get the console layout.
PHONE_ROLES = frozenset({Role.RESIDENT, Role.COURIER, Role.VENDOR})


def nav_for(role):
    """The navigation entries for a role."""
    return NAV.get(Role(role), [])
