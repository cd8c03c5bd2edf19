"""Forms of the counter's check-in pages. Labels are translated lazily, in the user's language.

The check-in fields are plain text with no validators of their own: ``checkin.clean_check_in``
judges them, so the form, the batch page and a CSV line get the same message. Slot numbers are text
too (WTForms' integer fields answer in their own words).
"""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..web.forms import Form, choice_list
from ..web.i18n import localized
from .rules import SIZES

SIZE_LABELS = {"small": _l("Small"), "medium": _l("Medium"), "large": _l("Large")}
REQUIRED = _l("This field is required.")
TRACKING_ATTRS = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                  "enterkeyhint": "next", "data-tracking": ""}
PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "off", "placeholder": "139 0013 9000"}


def carrier_choices(carriers):
    return choice_list([("", _l("Choose the carrier"))] + [(c.key, localized(c)) for c in carriers])


SIZE_CHOICES = choice_list([(size, SIZE_LABELS[size]) for size in SIZES])


class CheckInForm(Form):
    """One parcel, with an optional slot chosen by staff instead of the proposed one."""

    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=80)], render_kw=TRACKING_ATTRS)
    carrier = SelectField(_l("Carrier"), validate_choice=False)
    recipient_phone = StringField(_l("Recipient's mobile number"), validators=[Length(max=32)],
                                  render_kw=PHONE_ATTRS)
    recipient_name = StringField(_l("Recipient's name (optional)"), validators=[Length(max=80)],
                                 render_kw={"autocomplete": "off"})
    size = SelectField(_l("Size"), choices=SIZE_CHOICES, default="small", validate_choice=False)
    note = StringField(_l("Note (optional)"), validators=[Length(max=200)],
                       render_kw={"placeholder": _l("e.g. fragile, wet box")})
    shelf = StringField(_l("Shelf"), validators=[Length(max=4)], render_kw={"inputmode": "numeric"})
    tier = StringField(_l("Tier"), validators=[Length(max=2)], render_kw={"inputmode": "numeric"})

    def set_carriers(self, carriers):
        self.carrier.choices = carrier_choices(carriers)

    def slot(self):
        """``(shelf number, tier)`` staff chose, None for the proposed slot; ValueError if half or not numbers."""
        shelf, tier = (self.shelf.data or "").strip(), (self.tier.data or "").strip()
        if not shelf and not tier:
            return None
        if not (shelf.isascii() and shelf.isdigit() and tier.isascii() and tier.isdigit()):
            raise ValueError(shelf, tier)
        return int(shelf), int(tier)


class BatchForm(Form):
    """Batch mode: carrier and size once, then tracking number and phone per parcel."""

    carrier = SelectField(_l("Carrier"), validate_choice=False)
    size = SelectField(_l("Size"), choices=SIZE_CHOICES, default="small", validate_choice=False)
    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=80)], render_kw=TRACKING_ATTRS)
    recipient_phone = StringField(_l("Recipient's mobile number"), validators=[Length(max=32)],
                                  render_kw={**PHONE_ATTRS, "enterkeyhint": "done"})
    since = HiddenField()

    def set_carriers(self, carriers):
        self.carrier.choices = carrier_choices(carriers)


class ImportForm(Form):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})
    text = TextAreaField(_l("…or paste the lines here"), validators=[Optional(), Length(max=1_000_000)],
                         render_kw={"rows": 8, "spellcheck": "false"})


class CarriersForm(Form):
    names = TextAreaField(_l("Carriers, one per line in the order of the list: the Chinese name | the English name"),
                          validators=[Length(max=4000)], render_kw={"rows": 12, "spellcheck": "false"})


class ShelfForm(Form):
    number = IntegerField(_l("Shelf number (as painted on it)"),
                          validators=[InputRequired(REQUIRED), NumberRange(1, 999, _l("A number from 1 to 999."))],
                          render_kw={"inputmode": "numeric"})
    tiers = IntegerField(_l("Tiers (1 = the top one)"), default=4,
                         validators=[InputRequired(REQUIRED), NumberRange(1, 9, _l("A number from 1 to 9."))],
                         render_kw={"inputmode": "numeric"})
    capacity = IntegerField(_l("Room per tier, in small parcels (a medium takes 2, a large 4)"), default=20,
                            validators=[InputRequired(REQUIRED), NumberRange(1, 500, _l("A number from 1 to 500."))],
                            render_kw={"inputmode": "numeric"})
