"""The console's scenario push form (staff and the owner). Labels are translated lazily; the
operation checks the combination (schedule for the kind, times), so its message lands on the field."""
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..web.forms import Form, choice_list
from .push_rules import MAX_HOLDOUT_PERCENT, PushKind, Schedule
from .segments import SEGMENTS

REQUIRED = _l("This field is required.")
KIND_NAMES = {PushKind.SCHOOL_MORNING_BREAKFAST: _l("School-morning breakfast reminder"),
              PushKind.RAINY_EVENING_OFFER: _l("Rainy-evening delivery offer"),
              PushKind.WIN_BACK: _l("Win-back for dormant residents"),
              PushKind.CUSTOM: _l("Other message")}
SCHEDULE_NAMES = {Schedule.ONCE: _l("Once, at a chosen time"),
                  Schedule.SCHOOL_MORNINGS: _l("Every school morning"),
                  Schedule.TRIGGERED: _l("When staff press \u201cSend now\u201d")}
SEGMENT_NAMES = SEGMENTS   # growth.segments' own names


class _OwnMessage:
    own_message = None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.own_message) from None


class _DateTime(_OwnMessage, DateTimeLocalField):
    own_message = _l("Enter a date and a time, e.g. 2026-01-19 18:00.")


class _Time(_OwnMessage, TimeField):
    own_message = _l("Enter a time as hours:minutes, e.g. 09:00.")


class _Whole(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number.")) from None


class PushForm(Form):
    kind = SelectField(_l("Kind"), validate_choice=False,
                       choices=choice_list([(k.value, name) for k, name in KIND_NAMES.items()]))
    segment = SelectField(_l("Segment"), validate_choice=False,
                          choices=choice_list(list(SEGMENT_NAMES.items())))
    title_zh = StringField(_l("Title in Chinese"), validators=[Optional(), Length(max=60)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=60)])
    body_zh = TextAreaField(_l("Message in Chinese"), validators=[Optional(), Length(max=300)])
    body_en = TextAreaField(_l("Message in English"), validators=[Optional(), Length(max=300)])
    schedule = RadioField(_l("When it goes out"), default=Schedule.ONCE.value, validate_choice=False,
                          choices=choice_list([(s.value, name) for s, name in SCHEDULE_NAMES.items()]))
    send_at = _DateTime(_l("Date and time (store time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    morning_time = _Time(_l("Time on school mornings (store time)"), format="%H:%M", validators=[Optional()])
    holdout_percent = _Whole(_l("Holdout: percent of the segment who get nothing (for comparison)"), default=0,
                             validators=[InputRequired(REQUIRED), NumberRange(0, MAX_HOLDOUT_PERCENT,
                                         message=_l("Enter a whole number from %(min)s to %(max)s."))],
                             render_kw={"inputmode": "numeric", "autocomplete": "off"})
    campaign_id = SelectField(_l("Campaign (optional: its coupon comes with the message)"), default="",
                              validate_choice=False)
