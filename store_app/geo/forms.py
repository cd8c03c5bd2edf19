"""The staff form for a gazetteer building."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

REQUIRED = _l("This field is required.")


class BuildingForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    aliases = TextAreaField(_l("Other names (one per line)"), validators=[Length(max=1000)])
    lat = FloatField(_l("Latitude"), validators=[InputRequired(REQUIRED), NumberRange(-90, 90)])
    lon = FloatField(_l("Longitude"), validators=[InputRequired(REQUIRED), NumberRange(-180, 180)])
    entrance_note = StringField(_l("Entrance note for couriers"), validators=[Length(max=255)])
