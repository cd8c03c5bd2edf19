"""Forms of the catalogue console. Labels are translated lazily, in the user's language.

Prices, coordinates and hours are plain text fields, parsed by the rules (WTForms' number fields
let odd values such as NaN through), so a mistake gets our own message and the text stays.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..web.forms import Form, choice_list
from . import pictures
from ..web.i18n import localized
from ..web.names import bilingual_name
from .models import MerchantKind
from .rules import MAX_STOCK, MANUAL_REASONS

REQUIRED = _l("This field is required.")
REASON_LABELS = {
    "restock": _l("Restock (goods arrived)"),
    "count_correction": _l("Count correction"),
    "damage": _l("Damaged or expired"),
    "other": _l("Other (say what in the note)"),
    "sale": _l("Sale"),
    "cancel": _l("Order cancelled"),
}
KIND_LABELS = {
    MerchantKind.STORE.value: _l("The store itself"),
    MerchantKind.FRUIT.value: _l("Fruit shop"),
    MerchantKind.BAKERY.value: _l("Bakery"),
    MerchantKind.RESTAURANT.value: _l("Restaurant"),
}


class ProductForm(Form):
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(REQUIRED), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(REQUIRED), Length(max=120)])
    category_id = SelectField(_l("Category"),
                              validators=[DataRequired(_l("Please choose a category from the list."))])
    merchant_id = SelectField(_l("Prepared by"))
    price = StringField(_l("Price (yuan)"), validators=[DataRequired(REQUIRED), Length(max=12)],
                        render_kw={"inputmode": "decimal", "placeholder": "12.50"})
    cost = StringField(_l("Cost to the store (yuan, optional)"), validators=[Optional(), Length(max=12)],
                       render_kw={"inputmode": "decimal", "placeholder": "8.00"})
    stock = IntegerField(_l("Stock on the shelf now"), default=0,
                         validators=[Optional(),
                                     NumberRange(0, MAX_STOCK, _l("A whole number from 0 to %(max)s."))],
                         render_kw={"inputmode": "numeric"})
    barcode = StringField(_l("Barcode"), validators=[Optional(), Length(max=32)],
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})
    unit_label = StringField(_l("Unit"), validators=[Optional(), Length(max=30)],
                             render_kw={"placeholder": _l("e.g. 500 ml, 1 kg, 6 pieces")})
    is_active = BooleanField(_l("On sale (shown to residents)"), default=True)
    image = FileField(_l("Photo (JPEG, PNG or WebP, at most 2 MB)"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_image = BooleanField(_l("Remove the photo"))
    picture = SelectField(_l("Picture while there is no photo"), default="",
                          choices=choice_list([("", _l("The category's picture"))] + pictures.choices()))

    def set_choices(self, categories, merchants, lang):
        """Fill the category and merchant lists (the store itself is the empty choice)."""
        self.category_id.choices = choice_list([("", _l("Choose a category"))]
                                               + [(str(c.id), c.name(lang)) for c in categories])
        self.merchant_id.choices = choice_list([("", _l("The store itself"))] + [
            (str(m.id), f"{localized(m, lang=lang)} · {KIND_LABELS[m.kind]}") for m in merchants if m.is_partner])


class StockForm(Form):
    delta = IntegerField(_l("Change (+ adds, - takes away)"),
                         validators=[InputRequired(
                             _l("Enter how many to add (like 12) or take away (like -3)."))],
                         render_kw={"inputmode": "numeric", "placeholder": "+12 / -3"})
    reason = SelectField(_l("Reason"), choices=choice_list([(r.value, REASON_LABELS[r.value])
                                                            for r in MANUAL_REASONS]))
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=200)])


class ImportForm(Form):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})
    text = TextAreaField(_l("…or paste the lines here"), validators=[Optional(), Length(max=1_000_000)],
                         render_kw={"rows": 8, "spellcheck": "false"})


class CategoryForm(bilingual_name(60), Form):
    slug = StringField(_l("Short name (letters, digits, dashes)"), validators=[
        DataRequired(REQUIRED), Length(max=40),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9-]*$",
               message=_l("Use letters, digits and dashes only, like dairy or personal-care."))])
    position = IntegerField(_l("Position on the shelf (smaller first)"), default=0,
                            validators=[Optional(), NumberRange(-1000, 1000)])
    picture = SelectField(_l("Picture for its products without a photo"), default="",
                          choices=choice_list([("", _l("A shopping basket"))] + pictures.choices()))


class MerchantForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    name_en = StringField(_l("Name in English (optional)"), validators=[Length(max=120)], render_kw={"lang": "en"})
    kind = SelectField(_l("Kind"), choices=choice_list([(k, label) for k, label in KIND_LABELS.items()]))
    lat = StringField(_l("Latitude"), validators=[DataRequired(REQUIRED), Length(max=20)],
                      render_kw={"inputmode": "decimal"})
    lon = StringField(_l("Longitude"), validators=[DataRequired(REQUIRED), Length(max=20)],
                      render_kw={"inputmode": "decimal"})
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)], render_kw={"inputmode": "tel"})
    hours = StringField(_l("Opening hours"), validators=[DataRequired(REQUIRED), Length(max=20)],
                        render_kw={"placeholder": "07:00-21:00"})
    prep_minutes = IntegerField(_l("Preparation time (minutes)"), default=0,
                                validators=[InputRequired(REQUIRED), NumberRange(0, 240)],
                                render_kw={"inputmode": "numeric"})
