"""Forms of the breakfast console (staff and the owner). Labels are translated lazily.

Prices are text (parsed as yuan by the view); times are ``HH:MM`` fields; checkbox groups take any
value and the operations check them, so a hostile one gets our own message, in the user's language."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DateTimeLocalField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import Form, choice_list
from . import rules
from .presenters import ALLERGEN_NAMES

REQUIRED = _l("This field is required.")
WHOLE = _l("Enter a whole number from %(min)s to %(max)s.")
TIME = _l("Enter a time as hours:minutes, e.g. 21:00.")
DATE = _l("Enter the date as year-month-day, e.g. 2026-01-20.")
DATETIME = _l("Enter a date and a time, e.g. 2026-01-19 21:00.")
WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                 _l("Sunday"))


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; the operation checks the values (so the message is ours)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class _OwnMessage:
    """A date or time field whose unreadable value gets our message, in the user's language."""

    own_message = None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.own_message) from None


class _Date(_OwnMessage, DateField):
    own_message = DATE


class _Time(_OwnMessage, TimeField):
    own_message = TIME


class _DateTime(_OwnMessage, DateTimeLocalField):
    own_message = DATETIME


class _Whole(IntegerField):
    invalid_value_message = _l("Enter a whole number.")


def weekday_choices():
    return choice_list([(str(n), name) for n, name in enumerate(WEEKDAY_NAMES)])


def _count(label, low, high, **kwargs):
    return _Whole(label, validators=[InputRequired(REQUIRED), NumberRange(low, high, message=WHOLE)],
                        render_kw={"inputmode": "numeric", "autocomplete": "off"}, **kwargs)


def _time(label):
    return _Time(label, format="%H:%M", validators=[InputRequired(REQUIRED)])


class ItemForm(Form):
    name_zh = StringField(_l("Name in Chinese"), validators=[Optional(), Length(max=80)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=80)])
    price = StringField(_l("Price (yuan)"), validators=[InputRequired(REQUIRED), Length(max=12)],
                        render_kw={"inputmode": "decimal", "placeholder": "4.50"})
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 2 MB)"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_photo = BooleanField(_l("Remove the photo"))
    picture = SelectField(_l("Picture while there is no photo"), default="", validate_choice=False)
    ingredients_zh = TextAreaField(_l("Ingredients in Chinese"), validators=[Optional(), Length(max=500)])
    ingredients_en = TextAreaField(_l("Ingredients in English"), validators=[Optional(), Length(max=500)])
    allergens = CheckboxesField(_l("Allergens it contains"),
                                choices=choice_list([(code, ALLERGEN_NAMES[code]) for code in rules.ALLERGENS]))
    allergens_known = BooleanField(_l("The allergen information is complete"))
    weekdays = CheckboxesField(_l("Offered on"), choices=weekday_choices(), default=[str(n) for n in range(5)])
    daily_capacity = _count(_l("Portions per day (the kitchen's limit)"), 0, 10000, default=50)


class SettingsForm(Form):
    open_days_ahead = _count(_l("Ordering opens this many days ahead"), 1, 30)
    order_cutoff_days_before = _count(_l("Order cutoff: days before the pickup date"), 0, 7)
    order_cutoff_time = _time(_l("Order cutoff: at"))
    cancel_cutoff_days_before = _count(_l("Cancel cutoff: days before the pickup date"), 0, 7)
    cancel_cutoff_time = _time(_l("Cancel cutoff: at"))
    pickup_start = _time(_l("Pickup window starts at"))
    pickup_end = _time(_l("Pickup window ends at"))
    grace_breakfasts = _count(_l("Breakfasts on credit when the wallet is short"), 0, 10)
    claim_window_min = _count(_l("Minutes a waitlisted parent has to claim a freed portion"), 5, 720)
    low_balance_warning_h = _count(_l("Warn of a short balance this many hours before the cutoff"), 1, 48)
    calendar = SelectField(_l("School calendar"), validate_choice=False, choices=choice_list([
        ("cn", _l("China's official calendar (with make-up school days)")),
        ("weekdays", _l("Monday to Friday"))]))


class OverrideForm(Form):
    mode = RadioField(_l("Which dates"), default="date", validate_choice=False, choices=choice_list([
        ("date", _l("One date")), ("range", _l("Every date of a range")),
        ("weekly", _l("Chosen weekdays within a range"))]))
    kind = RadioField(_l("The store"), default="closed", validate_choice=False, choices=choice_list([
        ("closed", _l("Closed: no breakfast")), ("open", _l("Open: breakfast is served"))]))
    starts_on = _Date(_l("First date (or the date)"), validators=[InputRequired(REQUIRED)])
    ends_on = _Date(_l("Last date"), validators=[Optional()])
    weekdays = CheckboxesField(_l("Weekdays (for a repeating rule)"), choices=weekday_choices(), default=[])
    note = StringField(_l("Note (parents see it when a day closes)"), validators=[Optional(), Length(max=200)],
                       render_kw={"placeholder": _l("e.g. Winter break")})


class CloseDayForm(Form):
    reason = StringField(_l("Why is the day closed?"), validators=[DataRequired(REQUIRED), Length(max=200)],
                         render_kw={"placeholder": _l("e.g. School trip")})


class DayTimesForm(Form):
    order_cutoff = _DateTime(_l("Order cutoff"), format="%Y-%m-%dT%H:%M",
                                      validators=[InputRequired(REQUIRED)])
    cancel_cutoff = _DateTime(_l("Cancel cutoff"), format="%Y-%m-%dT%H:%M",
                                       validators=[InputRequired(REQUIRED)])
    pickup_start = _time(_l("Pickup window starts at"))
    pickup_end = _time(_l("Pickup window ends at"))


class OpenDayForm(Form):
    date = _Date(_l("Date"), validators=[InputRequired(REQUIRED)])
