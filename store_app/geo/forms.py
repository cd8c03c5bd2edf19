"""The staff forms for a gazetteer building and a delivery zone."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, FloatField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..database import MoneyError, parse_cents
from ..stores.rules import HoursFormatError, parse_interval
from ..web.forms import Form
from ..web.names import bilingual_name

REQUIRED = _l("This field is required.")


class BuildingForm(bilingual_name(120), Form):
    aliases = TextAreaField(_l("Other names (one per line)"), validators=[Length(max=1000)])
    lat = FloatField(_l("Latitude"), validators=[InputRequired(REQUIRED), NumberRange(-90, 90)])
    lon = FloatField(_l("Longitude"), validators=[InputRequired(REQUIRED), NumberRange(-180, 180)])
    entrance_note = StringField(_l("Entrance note for couriers"), validators=[Length(max=255)])


def money(form, field):
    """An amount in yuan such as ``3`` or ``3.50``."""
    try:
        parse_cents(field.data)
    except MoneyError as exc:
        raise ValidationError(_l("Write an amount in yuan, like 3 or 3.50.")) from exc


def daily_hours(form, field):
    """Empty, or ``HH:MM-HH:MM``."""
    if not (field.data or "").strip():
        return
    try:
        parse_interval(field.data)
    except HoursFormatError as exc:
        message = _l("Write the hours like 10:00-21:30, or leave empty for the store's hours.")
        raise ValidationError(message) from exc


class ZoneForm(bilingual_name(80), Form):
    """A delivery zone: money in yuan here, cents in the database."""

    fee = StringField(_l("Delivery fee (¥)"), validators=[DataRequired(REQUIRED), money], default="0",
                      render_kw={"inputmode": "decimal"})
    minimum = StringField(_l("Minimum order (¥)"), validators=[DataRequired(REQUIRED), money], default="0",
                          render_kw={"inputmode": "decimal"})
    priority = IntegerField(_l("Priority (where zones overlap, the higher wins)"), default=0,
                            validators=[Optional(), NumberRange(-1000, 1000)])
    enabled = BooleanField(_l("Deliver to this zone"), default=True)
    hours = StringField(_l("Delivery hours (optional)"), validators=[Optional(), Length(max=20), daily_hours],
                        render_kw={"placeholder": "10:00-21:30"})
    geojson = TextAreaField(_l("Outline (GeoJSON Polygon)"), validators=[Length(max=1_000_000)],
                            render_kw={"rows": 6, "spellcheck": "false", "data-zone-geojson": ""})
    geojson_file = FileField(_l("…or upload a .geojson file"),
                             render_kw={"accept": ".geojson,.json,application/geo+json,application/json"})

    def hours_minutes(self):
        """``(opens_min, closes_min)``, or ``(None, None)`` for the store's hours."""
        text = (self.hours.data or "").strip()
        return parse_interval(text) if text else (None, None)
