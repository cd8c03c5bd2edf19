"""The parent's breakfast forms: a child's profile, a subscription, pausing and cancelling dates.
Quantities of items (one field per item, ``q_<item id>`` or ``q_<weekday>_<item id>``) are read by
``quantities_from``: the menu changes by day, so they are not fixed fields."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import Form, choice_list
from . import rules
from .presenters import ALLERGEN_NAMES

MAX_QUANTITY = 5


class QuantityError(ValueError):
    """A quantity field that is not a whole number from 0 to 5."""


class ChildForm(Form):
    name = StringField(_l("Child's name"), validators=[DataRequired(_l("Please enter the child's name.")),
                                                       Length(max=40)])
    class_name = StringField(_l("Class"), validators=[Length(max=40)],
                             render_kw={"placeholder": _l("e.g. Grade 3, Class 2")})
    school = StringField(_l("School"), validators=[Length(max=80)])
    allergies = SelectMultipleField(_l("Allergies"), widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.allergies.choices = choice_list([(code, ALLERGEN_NAMES[code]) for code in rules.ALLERGENS])


class SubscribeForm(Form):
    starts_on = DateField(_l("First day"), validators=[InputRequired(_l("Choose the first day."))])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(_l("Choose the last day."))])
    same_every_day = BooleanField(_l("Same every day (Monday's items on every school day)"))
    idempotency_key = HiddenField()


class PauseForm(Form):
    until = DateField(_l("Pause until (included)"), validators=[InputRequired(_l("Choose a date."))])


class CancelRangeForm(Form):
    first = DateField(_l("From"), validators=[InputRequired(_l("Choose a date."))])
    last = DateField(_l("To (included)"), validators=[InputRequired(_l("Choose a date."))])


def quantity_of(text):
    """A quantity typed in a field: '' is 0; anything but 0 to 5 is ``QuantityError``."""
    text = (text or "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or len(text) > 2 or int(text) > MAX_QUANTITY:
        raise QuantityError(text)
    return int(text)


def quantities_from(formdata, item_ids, prefix="q_"):
    """``{item_id: n}`` of the fields ``<prefix><item id>`` for the items offered (others are ignored)."""
    return {item_id: n for item_id in item_ids
            if (n := quantity_of(formdata.get(f"{prefix}{item_id}")))}
