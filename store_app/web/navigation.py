"""Navigation per role. Each line of business adds its own entries here when it lands, so a
tab appears only when there is something behind it.

Residents, couriers and vendors get a flat bottom bar (``nav_for``). Staff and the owner get the
console's menu (``console_nav_for``): a few direct links and a few groups, so that the whole menu
fits a counter tablet and, folded into one drawer, a phone. Their account page (``ME``) sits apart,
always visible in the top bar."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..roles import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    icon: str


@dataclass(frozen=True)
class NavGroup:
    """A menu of the console's top bar: a button that opens ``items``."""

    key: str  # the element ids hang off it: "nav-group-<key>"
    label: object
    icon: str
    items: tuple

    def has(self, endpoint):
        return any(item.endpoint == endpoint for item in self.items)


ME = NavItem("accounts.me", _l("Me"), "me")

# The counter console's menu, shared by staff and the owner: one line per feature, grouped by task.
CONSOLE_HOME = NavItem("reports.console", _l("Console"), "home")
CONSOLE_GROUPS = [
    CONSOLE_HOME,
    NavGroup("orders", _l("Orders"), "orders", (
        NavItem("order_board.board", _l("Order board"), "orders"),
        NavItem("dispatch_board.board", _l("Dispatch"), "pin"),
        NavItem("voice.queue", _l("Voice orders"), "mic"))),
    NavItem("parcel_console.check_in", _l("Parcels"), "receipt"),
    NavGroup("breakfast", _l("Breakfast"), "bell", (
        NavItem("breakfast_console.days", _l("Breakfast days"), "orders"),
        NavItem("breakfast_kitchen.index", _l("Prep sheet"), "receipt"),
        NavItem("breakfast_kitchen.desk", _l("Pickup desk"), "box"),
        NavItem("breakfast_console.menu_page", _l("Breakfast menu"), "receipt"),
        NavItem("breakfast_console.calendar", _l("School calendar"), "home"))),
    NavGroup("services", _l("Services"), "key", (
        NavItem("services_console.jobs", _l("Service jobs"), "orders"),
        NavItem("services_console.vendors", _l("Vendors"), "team"),
        NavItem("services_console.claims", _l("Service complaints"), "receipt"),
        NavItem("services_console.disputes", _l("Vendor disputes"), "receipt"),
        NavItem("services_console.reviews", _l("Service reviews"), "chart"),
        NavItem("services_console.standing", _l("Vendor standing"), "chart"),
        NavItem("services_console.payouts", _l("Vendor payouts"), "wallet"),
        NavItem("services_console.categories", _l("Service categories"), "receipt"),
        NavItem("services_console.verify_address", _l("Verify an address"), "key"))),
    NavGroup("growth", _l("Growth"), "chart", (
        NavItem("growth_console.coupons", _l("Coupons"), "receipt"),
        NavItem("growth_console.campaigns_list", _l("Campaigns"), "bell"),
        NavItem("growth_console.segments_page", _l("Segments"), "team"),
        NavItem("growth_pushes.list_page", _l("Scenario pushes"), "bell"),
        NavItem("review_console.reviews", _l("Reviews"), "chart"),
        NavItem("points.console", _l("Points"), "wallet"))),
    NavGroup("goods", _l("Goods and money"), "box", (
        NavItem("catalogue.products", _l("Products"), "box"),
        NavItem("wallet.console", _l("Wallet"), "wallet"))),
    NavGroup("community", _l("Community"), "building", (
        NavItem("accounts.team", _l("Team"), "team"),
        NavItem("devices.tokens", _l("Devices"), "key"),
        NavItem("geo.buildings", _l("Buildings"), "building"),
        NavItem("geo.zones_list", _l("Zones"), "zone"))),
]
OWNER_GROUPS = [
    NavItem("reports.dashboard", _l("Dashboard"), "chart"),
    *CONSOLE_GROUPS,
    NavGroup("owner", _l("Owner"), "chart", (
        NavItem("board.page", _l("KPI board"), "chart"),
        NavItem("stores.settings", _l("Store"), "store"),
        NavItem("breakfast_console.settings", _l("Breakfast settings"), "bell"),
        NavItem("staffing.page", _l("Staffing"), "route"))),
]
CONSOLE_NAV = {Role.STAFF: CONSOLE_GROUPS, Role.OWNER: OWNER_GROUPS}


def _flat(entries):
    return [item for entry in entries for item in (entry.items if isinstance(entry, NavGroup) else (entry,))]


NAV = {
    Role.RESIDENT: [NavItem("shop.feed", _l("Shop"), "shop"), NavItem("orders.cart", _l("Cart"), "cart"),
                    NavItem("orders.my_orders", _l("Orders"), "receipt"),
                    NavItem("parcels.mine", _l("Parcels"), "box"),
                    NavItem("breakfast.home", _l("Breakfast"), "breakfast"),
                    NavItem("services.home", _l("Services"), "home"), ME],
    Role.COURIER: [NavItem("courier.home", _l("Tasks"), "route"), ME],
    Role.VENDOR: [NavItem("vendor.jobs", _l("Jobs"), "receipt"), NavItem("vendor.home", _l("Business"), "store"),
                  NavItem("vendor.offerings", _l("Offerings"), "receipt"), NavItem("vendor.money", _l("Earnings"), "wallet"),
                  ME],
    Role.STAFF: [*_flat(CONSOLE_GROUPS), ME],
    Role.OWNER: [*_flat(OWNER_GROUPS), ME],
}
# Roles that get the phone layout with a bottom bar; the others get the console layout.
PHONE_ROLES = frozenset({Role.RESIDENT, Role.COURIER, Role.VENDOR})


def nav_for(role):
    """The navigation entries for a role, flat (every page the role's menu leads to, then ``ME``)."""
    return NAV.get(Role(role), [])


def console_nav_for(role):
    """The console menu of a role: ``NavItem`` links and ``NavGroup`` menus, in order (without ``ME``)."""
    return CONSOLE_NAV.get(Role(role), [])


def is_group(entry):
    """Whether a console menu entry is a group (a menu) rather than a link."""
    return isinstance(entry, NavGroup)
