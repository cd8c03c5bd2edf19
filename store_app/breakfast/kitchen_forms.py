"""The kitchen's forms: a breakfast added or removed by staff after the cutoff, and the desk's code."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form

REASON_HINT = _l("e.g. the parent phoned")


class AddBreakfastForm(Form):
    child_id = SelectField(_l("Child"), choices=[], validators=[DataRequired(_l("Choose a child."))])
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Say why (for example: the parent phoned).")),
                                                   Length(max=200)],
                         render_kw={"placeholder": REASON_HINT, "autocomplete": "off"})


class RemoveBreakfastForm(Form):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Say why (for example: the parent phoned).")),
                                                   Length(max=200)])


class DeskCodeForm(Form):
    code = StringField(_l("Scan the card's QR code or type the child's 6-digit code"),
                       validators=[DataRequired(_l("Type or scan the six-digit code.")), Length(max=32)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 32,
                                  "enterkeyhint": "go", "spellcheck": "false"})
