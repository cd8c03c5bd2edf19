"""How the breakfast notifications the core sends read, in the reader's language."""
from datetime import date, datetime

from babel.dates import format_skeleton
from flask_babel import get_locale, gettext as _

from ..extensions import db
from ..notifications.presenters import renderer
from ..web.filters import local_datetime
from ..web.i18n import localized
from .models import BreakfastItem


def _day(params):
    try:
        return format_skeleton("MMMEd", date.fromisoformat(params.get("date", "")), locale=get_locale())
    except (ValueError, TypeError):
        return params.get("date", "")


def _item_name(params):
    item_id = params.get("item_id")
    item = db.session.get(BreakfastItem, item_id) if isinstance(item_id, int) else None
    return localized(item) if item is not None else _("an item")


@renderer("breakfast_subscription_day_missed")
def _subscription_day_missed(params):
    if params.get("reason") == "allergen":
        body = _("The subscription's breakfast on %(day)s was not ordered: one of its items contains an allergen "
                 "of your child's. Choose another item on the Breakfast tab.", day=_day(params))
    else:
        body = _("The subscription's breakfast on %(day)s was not ordered: an item is sold out. Choose another "
                 "item or join its waitlist on the Breakfast tab.", day=_day(params))
    return _("A subscription day could not be ordered"), body


@renderer("breakfast_waitlist_offer")
def _waitlist_offer(params):
    until = ""
    if params.get("until"):
        until = local_datetime(datetime.fromisoformat(params["until"]), params.get("tz") or "Asia/Shanghai", "HH:mm")
    return (_("A breakfast portion is free for you"),
            _("%(item)s on %(day)s is held for you until %(time)s. Claim it on the Breakfast tab before then, "
              "or it goes to the next parent waiting.", item=_item_name(params), day=_day(params), time=until))
