"""The counter's top-up form."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form


class TopUpForm(Form):
    amount = StringField(_l("Amount (¥)"), validators=[DataRequired(_l("Enter an amount.")), Length(max=20)],
                         render_kw={"inputmode": "decimal", "autocomplete": "off", "placeholder": "100"})
    note = StringField(_l("Note (optional)"), validators=[Length(max=200)],
                       render_kw={"placeholder": _l("e.g. cash, WeChat Pay")})
    # The balance the counter saw: the top-up goes through only if it is still the balance.
    expected_balance_cents = HiddenField()
