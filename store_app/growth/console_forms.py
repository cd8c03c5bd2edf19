"""Forms of growth's console pages: the coupon editor, a new campaign, resuming with a new budget.
Amounts are typed yuan (text, parsed by the view with ``parse_cents``, so a mistake gets our own
message); dates and times are the store's local time; labels are translated lazily."""
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField,
                     StringField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import Form, choice_list
from ..web.i18n import localized
from .coupon_admin import KIND_LABELS, LINE_LABELS

REQUIRED = _l("This field is required.")
WHOLE = _l("Enter a whole number from %(min)s to %(max)s.")
DATETIME = _l("Enter a date and a time, e.g. 2026-01-19 21:00.")
YUAN = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}
WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                 _l("Sunday"))


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; the operation checks the values (so the message is ours)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class LocalDateTimeField(DateTimeLocalField):
    """A local date and time; an unreadable one gets our message, in the user's language."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                         validators=[InputRequired(REQUIRED)], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATETIME) from None


class WholeField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number.")) from None


def _whole(label, low, high, required=True, **kwargs):
    checks = [InputRequired(REQUIRED)] if required else [Optional()]
    return WholeField(label, validators=[*checks, NumberRange(low, high, message=WHOLE)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"}, **kwargs)


def _yuan(label):
    return StringField(label, validators=[Optional(), Length(max=12)], render_kw=YUAN)


class CouponForm(Form):
    kind = SelectField(_l("Kind"), choices=choice_list(list(KIND_LABELS.items())))
    title_zh = StringField(_l("Title in Chinese"), validators=[Optional(), Length(max=80)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=80)])
    amount_off = _yuan(_l("Amount off (yuan)"))
    percent_off = _whole(_l("Percent off"), 0, 99, required=False)
    cap = _yuan(_l("At most this much off (yuan)"))
    min_spend = _yuan(_l("Minimum spend (yuan)"))
    min_items = _whole(_l("Minimum number of items"), 0, 99, default=0)
    category_id = SelectField(_l("Only goods of this category"), default="")
    merchant_id = SelectField(_l("Only goods of this merchant"), default="")
    member_weekday = SelectField(_l("Member day"), default="",
                                 choices=choice_list([("", "-")] + [(str(n), day) for n, day in enumerate(WEEKDAY_NAMES)]))
    lines = CheckboxesField(_l("Lines it applies to"), choices=choice_list(list(LINE_LABELS.items())))
    stacks = BooleanField(_l("Combines with other kinds of coupon"))
    starts_at = LocalDateTimeField(_l("Valid from"))
    ends_at = LocalDateTimeField(_l("Valid until"))
    valid_days = _whole(_l("A copy expires after this many days (empty: at the end)"), 1, 365, required=False)
    per_user_limit = _whole(_l("Copies per resident"), 1, 100, default=1)
    total_limit = _whole(_l("Copies in all (empty: no limit)"), 1, 1_000_000, required=False)
    claimable = BooleanField(_l("Residents can claim it in the app"))
    make_code = BooleanField(_l("Make a new typed code (shown once)"))

    def set_choices(self, categories, merchants, lang):
        """Fill the category and merchant lists (empty: any)."""
        self.category_id.choices = choice_list([("", _l("Any category"))]
                                               + [(str(c.id), c.name(lang)) for c in categories])
        self.merchant_id.choices = choice_list([("", _l("Any merchant"))]
                                               + [(str(m.id), localized(m, lang=lang)) for m in merchants])


class CampaignForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=80)])
    segment = SelectField(_l("Segment"))
    coupon_id = SelectField(_l("Coupon"))
    budget = _yuan(_l("Budget (yuan, empty: no cap)"))
    holdout_percent = _whole(_l("Holdout (percent of the segment who get nothing)"), 0, 50, default=5)
    starts_at = LocalDateTimeField(_l("Starts"))
    ends_at = LocalDateTimeField(_l("Ends"))


class ResumeForm(Form):
    budget = _yuan(_l("New budget (yuan, empty: keep it)"))
