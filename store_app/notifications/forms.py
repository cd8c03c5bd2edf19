"""The resident's notification settings: one switch per optional push kind."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..web.forms import Form
from .quiet_rules import BREAKFAST_REMINDER, OFFERS, WIN_BACK

# What each optional kind is, as the settings page says it (label, then what it brings).
KIND_TEXTS = {
    BREAKFAST_REMINDER: (_l("Breakfast reminders"),
                         _l("On school mornings, a reminder to order breakfast for your children.")),
    OFFERS: (_l("Offers and coupons"),
             _l("Deals from the store, such as a delivery offer on a rainy evening.")),
    WIN_BACK: (_l("We miss you"),
               _l("A message with an offer when you have not ordered for a while.")),
}


class PreferencesForm(Form):
    """A checkbox per optional kind: checked means "send me these"."""

    breakfast_reminder = BooleanField(KIND_TEXTS[BREAKFAST_REMINDER][0])
    offers = BooleanField(KIND_TEXTS[OFFERS][0])
    win_back = BooleanField(KIND_TEXTS[WIN_BACK][0])

    def enabled_kinds(self):
        """The kinds left checked."""
        return [kind for kind in KIND_TEXTS if getattr(self, kind).data]
