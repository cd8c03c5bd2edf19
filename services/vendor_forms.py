"""Forms of the vendor pages (applying, crew, offerings, hours) and of the staff's vetting and
category pages. Labels are translated lazily. Checkbox groups take any value: the operations check
them, so a forged one gets our own message, in the user's language."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, PasswordField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from store_app.web.forms import Form, choice_list

REQUIRED = _l("This field is required.")
WHOLE = _l("Enter a whole number from %(min)s to %(max)s.")
TOO_LONG = _l("This text is too long: at most %(max)d characters.")
DAY_NAMES = (("MO", _l("Monday")), ("TU", _l("Tuesday")), ("WE", _l("Wednesday")), ("TH", _l("Thursday")),
             ("FR", _l("Friday")), ("SA", _l("Saturday")), ("SU", _l("Sunday")))
UNIT_CHOICES = (("min", _l("minutes")), ("h", _l("hours")))
# A field for text in one language says so (a Chinese name on an English page is meant).
ZH, EN = {"lang": "zh-Hans"}, {"lang": "en"}


class Checkboxes(SelectMultipleField):
    """A group of checkboxes; the operation checks the values."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, coerce=str, **kwargs)


class Whole(IntegerField):
    invalid_value_message = _l("Enter a whole number.")


class Clock(TimeField):
    """A time of day as ``HH:MM``; an unreadable one gets our message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a time as hours:minutes, e.g. 08:30.")) from None


class Day(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter the date as year-month-day, e.g. 2026-01-20.")) from None


def whole(label, low, high, required=True):
    checks = [InputRequired(REQUIRED)] if required else [Optional()]
    return Whole(label, validators=[*checks, NumberRange(low, high, message=WHOLE)],
                 render_kw={"inputmode": "numeric", "autocomplete": "off"})


def text(label, max_length, required=True, **kwargs):
    checks = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, validators=[*checks, Length(max=max_length, message=TOO_LONG)], **kwargs)


# ---- applying -----------------------------------------------------------------------------------

class ApplicationFields(Form):
    """What every application says (also when fixing one staff sent back)."""

    kind = RadioField(_l("You are"), choices=choice_list([("company", _l("A company")),
                                                          ("individual", _l("An individual"))]),
                      default="company", validate_choice=False, validators=[InputRequired(REQUIRED)])
    name = text(_l("Name of the business or person"), 80, render_kw={"autocomplete": "organization"})
    id_number = text(_l("Unified social credit code (company) or ID number (individual)"), 40,
                     render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    categories = Checkboxes(_l("Services you offer"))
    zones = Checkboxes(_l("Areas you serve"))
    licence = FileField(_l("Business licence (PDF, JPEG or PNG)"))
    identity = FileField(_l("ID card of the person in charge"))
    insurance = FileField(_l("Liability insurance (optional)"))


class ApplyForm(ApplicationFields):
    """A new applicant: also their phone and password (their vendor login)."""

    phone = text(_l("Mobile number"), 32, render_kw={"inputmode": "tel", "autocomplete": "tel"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             render_kw={"autocomplete": "new-password"})


class CrewForm(Form):
    name = text(_l("Crew member's name"), 60)
    phone = text(_l("Mobile number"), 32, render_kw={"inputmode": "tel", "autocomplete": "off"})
    password = PasswordField(_l("Initial password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             render_kw={"autocomplete": "new-password"})


# ---- offerings and hours ------------------------------------------------------------------------

class OfferingForm(Form):
    category_id = SelectField(_l("Service"), coerce=str, validate_choice=False, validators=[DataRequired(REQUIRED)])
    title_zh = text(_l("Title in Chinese"), 80, render_kw=ZH)
    title_en = text(_l("Title in English"), 80, render_kw=EN)
    description_zh = TextAreaField(_l("Description in Chinese"), validators=[Length(max=2000, message=TOO_LONG)],
                                   render_kw=ZH)
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=2000, message=TOO_LONG)],
                                   render_kw=EN)
    duration_min = whole(_l("Typical duration (minutes)"), 15, 720)
    buffer_before_min = whole(_l("Buffer before (minutes, travel)"), 0, 240)
    buffer_after_min = whole(_l("Buffer after (minutes, tidying up)"), 0, 240)
    price_model = RadioField(_l("Price"), choices=choice_list([
        ("fixed", _l("Fixed price")), ("hourly", _l("Per hour")), ("from", _l("From (quoted on site)"))]),
        default="fixed", validate_choice=False, validators=[InputRequired(REQUIRED)])
    price = text(_l("Price in yuan"), 12, render_kw={"inputmode": "decimal", "autocomplete": "off"})
    photos = MultipleFileField(_l("Photos (JPEG or PNG, up to 6)"))
    remove_photos = Checkboxes(_l("Remove these photos"))


class RuleForm(Form):
    days = Checkboxes(_l("Days of the week"), choices=choice_list(DAY_NAMES))
    start = Clock(_l("From"), format="%H:%M", validators=[InputRequired(REQUIRED)])
    end = Clock(_l("Until"), format="%H:%M", validators=[InputRequired(REQUIRED)])
    crews = whole(_l("Crews working"), 1, 99)


class ExceptionForm(Form):
    day = Day(_l("Date"), validators=[InputRequired(REQUIRED)])
    closed = BooleanField(_l("Closed all day"))
    exception_start = Clock(_l("From"), format="%H:%M", validators=[Optional()])
    exception_end = Clock(_l("Until"), format="%H:%M", validators=[Optional()])
    note = text(_l("Note (optional)"), 120, required=False)


class NoticeForm(Form):
    min_notice = whole(_l("Minimum notice"), 0, 14 * 24 * 60)
    min_notice_unit = SelectField(_l("Time unit"), choices=choice_list(UNIT_CHOICES), validate_choice=False)


# ---- staff ---------------------------------------------------------------------------------------

class DecisionForm(Form):
    seen = HiddenField()  # the application's state on the page: a decision counts only if it still is
    note = TextAreaField(_l("What is missing, or why"), validators=[Length(max=500, message=TOO_LONG)])


class CategoryForm(Form):
    name_zh = text(_l("Name in Chinese"), 60, render_kw=ZH)
    name_en = text(_l("Name in English"), 60, render_kw=EN)
    commission_pct = text(_l("Commission (%)"), 6, render_kw={"inputmode": "decimal"})
    free_cancel_h = whole(_l("Free cancellation until (hours before)"), 0, 720)
    late_cancel_pct = whole(_l("Late cancellation fee (%)"), 0, 100)
    no_show_pct = whole(_l("No-show fee (%)"), 0, 100)
    book_notice = whole(_l("Booking notice"), 0, 20160)
    book_notice_unit = SelectField(_l("Time unit"), choices=choice_list(UNIT_CHOICES), validate_choice=False)
    cancel_notice = whole(_l("Cancellation notice"), 0, 20160)
    cancel_notice_unit = SelectField(_l("Time unit"), choices=choice_list(UNIT_CHOICES), validate_choice=False)
    reschedule_notice = whole(_l("Rescheduling notice"), 0, 20160)
    reschedule_notice_unit = SelectField(_l("Time unit"), choices=choice_list(UNIT_CHOICES), validate_choice=False)
    guarantee_days = whole(_l("Guarantee window (days)"), 0, 365)
    damage_cap = text(_l("Damage cap (yuan)"), 12, render_kw={"inputmode": "decimal"})
    terms_zh = TextAreaField(_l("Guarantee terms in Chinese"), validators=[Length(max=4000, message=TOO_LONG)],
                             render_kw=ZH)
    terms_en = TextAreaField(_l("Guarantee terms in English"), validators=[Length(max=4000, message=TOO_LONG)],
                             render_kw=EN)
    needs_verified_address = BooleanField(_l("Only for a verified address (ID check at the door)"))
    is_active = BooleanField(_l("Offered to residents"))
