"""What parents read when staff close a breakfast day (``breakfast_day_closed``), in their language."""
from datetime import date

from flask_babel import format_date, gettext as _

from ..database import format_cents
from ..notifications.presenters import renderer

KIND = "breakfast_day_closed"


def _day(params):
    try:
        return format_date(date.fromisoformat(params.get("date", "")), "full")
    except (TypeError, ValueError):
        return params.get("date", "")


@renderer(KIND)
def _day_closed(params):
    children = ", ".join(params.get("children") or [])
    refund = params.get("refund_cents") or 0
    body = _("Breakfast on %(day)s for %(children)s is cancelled: the store closed that day (%(reason)s).",
             day=_day(params), children=children, reason=params.get("reason", ""))
    if refund:
        body += " " + _("%(amount)s is back in your wallet.", amount=format_cents(refund))
    else:
        body += " " + _("Nothing was charged for it.")
    return _("Breakfast day closed"), body
