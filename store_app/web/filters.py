"""Template filters and globals: money, local times, weekday names, the navigation."""
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from flask_babel import format_datetime, get_locale, lazy_gettext as _l

from ..database import format_cents
from .navigation import PHONE_ROLES, console_nav_for, is_group, nav_for

WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday"))


def local_datetime(value, tz_name="Asia/Shanghai", fmt="short"):
    """An aware UTC datetime shown on the store's wall clock, in the user's language."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None), fmt, rebase=False)


def time_zone_label(tz_name):
    """A time zone as readers name it, in their language ("中国（上海）时间", "China (Shanghai) Time"),
    not its database id ("Asia/Shanghai", which stays in exports and the JSON)."""
    try:
        return get_timezone_location(tz_name, locale=get_locale() or "en")
    except LookupError:
        return tz_name


def init_app(app):
    """Register the filters and globals used by every template."""
    app.add_template_filter(format_cents, "money")
    app.add_template_filter(local_datetime, "local_dt")
    app.add_template_filter(time_zone_label, "tz_label")
    app.add_template_global(WEEKDAY_NAMES, "WEEKDAY_NAMES")
    app.add_template_global(nav_for, "nav_for")
    app.add_template_global(console_nav_for, "console_nav_for")
    app.add_template_global(is_group, "is_nav_group")
    app.add_template_global(PHONE_ROLES, "PHONE_ROLES")
