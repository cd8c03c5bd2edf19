"""Navigation per role. Each line of business adds its own entries here when it lands, so a
tab appears only when there is something behind it."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..roles import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    icon: str


# The counter console's tabs, shared by staff and the owner: one line per feature.
CONSOLE = [
    NavItem("reports.console", _l("Console"), "home"),
    NavItem("order_board.board", _l("Orders"), "orders"),
    NavItem("dispatch_board.board", _l("Dispatch"), "pin"),
    NavItem("voice.queue", _l("Voice orders"), "mic"),
    NavItem("catalogue.products", _l("Products"), "box"),
    NavItem("parcel_console.check_in", _l("Parcels"), "receipt"),
    NavItem("wallet.console", _l("Wallet"), "wallet"),
    NavItem("accounts.team", _l("Team"), "team"),
    NavItem("devices.tokens", _l("Devices"), "key"),
    NavItem("geo.buildings", _l("Buildings"), "building"),
    NavItem("geo.zones_list", _l("Zones"), "zone"),
]
ME = NavItem("accounts.me", _l("Me"), "me")

NAV = {
    Role.RESIDENT: [NavItem("shop.feed", _l("Shop"), "shop"), NavItem("orders.cart", _l("Cart"), "cart"),
                    NavItem("orders.my_orders", _l("Orders"), "receipt"),
                    NavItem("parcels.mine", _l("Parcels"), "box"), ME],
    Role.COURIER: [NavItem("courier.home", _l("Tasks"), "route"), ME],
    Role.VENDOR: [ME],
    Role.STAFF: [*CONSOLE, ME],
    Role.OWNER: [NavItem("reports.dashboard", _l("Dashboard"), "chart"),
                 NavItem("stores.settings", _l("Store"), "store"),
                 NavItem("staffing.page", _l("Staffing"), "route"),
                 *CONSOLE, ME],
}
# Roles that get the phone layout with a bottom bar; the others get the console layout.
PHONE_ROLES = frozenset({Role.RESIDENT, Role.COURIER, Role.VENDOR})


def nav_for(role):
    """The navigation entries for a role."""
    return NAV.get(Role(role), [])
