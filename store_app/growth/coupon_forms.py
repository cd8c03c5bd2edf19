"""The coupon centre's form: a code typed by the resident."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form


class CodeForm(Form):
    code = StringField(_l("Coupon code"), validators=[DataRequired(_l("Type the code.")), Length(max=64)],
                       render_kw={"autocomplete": "off",
                                  "autocapitalize": "characters", "spellcheck": "false"})
