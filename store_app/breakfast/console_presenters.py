"""How the breakfast console names a date's reason and a day's status, in the page's language."""
from flask_babel import lazy_gettext as _l

REASONS = {
    "school": _l("School day"),
    "make_up": _l("Make-up school day"),
    "weekend": _l("Weekend"),
    "holiday": _l("National holiday"),
    "store_closed": _l("Store closure"),
    "store_open": _l("Store opening"),
}
DAY_STATUSES = {
    "open": _l("Open for orders"),
    "closed": _l("Closed"),
    "frozen": _l("Cutoff passed: cooking"),
    "done": _l("Done"),
}
WEEKDAY_SHORT = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


def reason_label(info):
    """A date's reason in words: "National holiday: National Day", "Store closure: Winter break"."""
    label = str(REASONS.get(info.reason, info.reason))
    detail = info.note if info.reason in ("store_closed", "store_open") else str(info.holiday or "")
    return f"{label}: {detail}" if detail else label


def day_status_label(status):
    return str(DAY_STATUSES.get(status, status))


def init_blueprint(bp):
    """Make the labels available to the console's templates."""
    bp.add_app_template_global(reason_label, "breakfast_reason_label")
    bp.add_app_template_global(day_status_label, "breakfast_day_status")
    bp.add_app_template_global(WEEKDAY_SHORT, "BREAKFAST_WEEKDAY_SHORT")
