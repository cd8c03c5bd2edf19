"""The courier's shift form."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..web.forms import Form, choice_list

SHIFT_HOURS = (2, 4, 6, 8)
DEFAULT_SHIFT_HOURS = 4


class StartShiftForm(Form):
    """Start a shift that is planned to end after 2, 4, 6 or 8 hours."""

    hours = SelectField(_l("Planned length"), coerce=int, default=DEFAULT_SHIFT_HOURS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hours.choices = choice_list([(h, _l("%(n)d hours", n=h)) for h in SHIFT_HOURS])
