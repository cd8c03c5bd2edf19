"""The owner's staffing question: which weekday, which hours, what share within the promise."""
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..web.filters import WEEKDAY_NAMES
from ..web.forms import Form, choice_list
from . import rules

REQUIRED = _l("This field is required.")
SATURDAY = 5


class StaffingForm(Form):
    weekday = SelectField(_l("Day of the week"), coerce=int, default=SATURDAY,
                          choices=choice_list(list(enumerate(WEEKDAY_NAMES))))
    from_hour = SelectField(_l("From"), coerce=int, default=9,
                            choices=choice_list([(h, rules.hour_label(h)) for h in range(24)]))
    to_hour = SelectField(_l("Until"), coerce=int, default=12,
                          choices=choice_list([(h, rules.hour_label(h)) for h in range(1, 25)]))
    target = DecimalField(_l("Orders within the promise (%)"), default=98, places=None,
                          validators=[InputRequired(REQUIRED),
                                      NumberRange(50, 100, _l("Choose a share between %(min)s%% and %(max)s%%."))],
                          render_kw={"inputmode": "decimal"})
    weeks = IntegerField(_l("Weeks of history"), default=8,
                         validators=[InputRequired(REQUIRED),
                                     NumberRange(1, 26, _l("Choose between %(min)s and %(max)s weeks."))])
    couriers = StringField(_l("Your couriers per hour (optional)"), validators=[Optional(), Length(max=200)],
                           render_kw={"placeholder": "3  /  2, 3, 3"})

    def validate_to_hour(self, field):
        if self.from_hour.data is not None and field.data is not None and field.data <= self.from_hour.data:
            raise ValidationError(_l("The window must end after it starts."))

    def validate_couriers(self, field):
        hours = self.hours()
        try:
            rules.parse_courier_counts(field.data, hours or 1)
        except rules.CountsFormatError as exc:
            if exc.wrong_length:
                if hours is None:
                    return  # how many are wanted is known once the window is right
                raise ValidationError(_l("Give one number for every hour, or %(n)d numbers, one per hour.",
                                         n=hours)) from exc
            raise ValidationError(_l("Write whole numbers from 0 to %(max)d, like 3 or 2, 3, 3.",
                                     max=rules.MAX_COURIERS_PER_HOUR)) from exc

    def hours(self):
        """How many hours the window spans, or None while it is not valid."""
        start, end = self.from_hour.data, self.to_hour.data
        if start is None or end is None or end <= start:
            return None
        return end - start

    def courier_counts(self):
        """The owner's counts, one per hour, or None (after validation)."""
        return rules.parse_courier_counts(self.couriers.data, self.hours())

    def target_share(self):
        """The target as a share in (0, 1] (after validation)."""
        return float(self.target.data) / 100
