"""The owner's parcel settings form. Money is typed in yuan and turned into cents by the view
(``parse_cents``); how the settings fit together (reminders in order) is checked by the operation."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from ..web.forms import Form

REQUIRED = _l("This field is required.")
WHOLE = _l("Enter a whole number from %(min)s to %(max)s.")
MAX_FEE_PER_DAY_YUAN = 100
MAX_DOOR_FEE_YUAN = 100


def _count(label, low, high):
    return IntegerField(label, validators=[InputRequired(REQUIRED), NumberRange(low, high, message=WHOLE)],
                        render_kw={"inputmode": "numeric", "autocomplete": "off"})


def _yuan(label):
    return StringField(label, validators=[InputRequired(REQUIRED), Length(max=12)],
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})


class ParcelSettingsForm(Form):
    free_days = _count(_l("Free days on the shelf"), 0, 30)
    fee_per_day = _yuan(_l("Storage fee per day after that (¥)"))
    first_reminder_h = _count(_l("First reminder (hours after check-in)"), 1, 336)
    second_reminder_h = _count(_l("Second reminder (hours after check-in)"), 2, 720)
    return_days = _count(_l("Back to the carrier after (days)"), 1, 60)
    door_fee = _yuan(_l("Door-delivery fee (¥)"))
