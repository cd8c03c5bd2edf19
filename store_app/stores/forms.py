"""The owner's store settings form."""
from flask_babel import lazy_gettext as _l
from wtforms import FloatField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..web.forms import Form

REQUIRED = _l("This field is required.")


class StoreForm(Form):
    name = StringField(_l("Store name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    name_en = StringField(_l("Store name in English (optional)"), validators=[Length(max=120)],
                          render_kw={"lang": "en"})
    address = StringField(_l("Address"), validators=[Length(max=255)])
    address_en = StringField(_l("Address in English (optional)"), validators=[Length(max=255)],
                             render_kw={"lang": "en"})
    phone = StringField(_l("Phone"), validators=[Length(max=32)])
    lat = FloatField(_l("Latitude"), validators=[InputRequired(REQUIRED), NumberRange(-90, 90)])
    lon = FloatField(_l("Longitude"), validators=[InputRequired(REQUIRED), NumberRange(-180, 180)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(REQUIRED), Length(max=64)])
    promise_minutes = IntegerField(_l("Delivery promise (minutes)"),
                                   validators=[DataRequired(REQUIRED), NumberRange(5, 240)])
    hours_0 = StringField(_l("Monday"), validators=[Optional(), Length(max=100)])
    hours_1 = StringField(_l("Tuesday"), validators=[Optional(), Length(max=100)])
    hours_2 = StringField(_l("Wednesday"), validators=[Optional(), Length(max=100)])
    hours_3 = StringField(_l("Thursday"), validators=[Optional(), Length(max=100)])
    hours_4 = StringField(_l("Friday"), validators=[Optional(), Length(max=100)])
    hours_5 = StringField(_l("Saturday"), validators=[Optional(), Length(max=100)])
    hours_6 = StringField(_l("Sunday"), validators=[Optional(), Length(max=100)])

    def hour_fields(self):
        return [getattr(self, f"hours_{d}") for d in range(7)]
