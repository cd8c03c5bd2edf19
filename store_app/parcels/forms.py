"""The resident's parcel forms: name a proxy, "bring it to my door"."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form, choice_list

ALL_PARCELS = ""  # the proxy form's choice for "all my parcels, now and later"


class ProxyForm(Form):
    proxy_phone = StringField(_l("Their mobile number"), validators=[Length(max=32)],
                              render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off",
                                         "placeholder": _l("e.g. 139 0013 9000")})
    parcel = SelectField(_l("Which parcels"), choices=[], validate_choice=False)

    def parcel_id(self):
        """The chosen parcel's id, or None for all parcels."""
        value = (self.parcel.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() else None


class DoorDeliveryForm(Form):
    parcel_ids = SelectMultipleField(_l("Parcels"), coerce=int, choices=[], validate_choice=False,
                                     validators=[DataRequired(_l("Tick the parcels to bring to your door."))])
    address_id = SelectField(_l("Deliver to"), coerce=int,
                             validators=[DataRequired(_l("Please choose a delivery address."))])
    payment_method = RadioField(_l("Payment"), choices=choice_list([("wallet", _l("Store wallet")),
                                                                    ("cash", _l("Cash on delivery")),
                                                                    ("card", _l("Card on delivery"))]),
                                default="wallet", validators=[DataRequired(_l("Please choose how to pay."))])
    idempotency_key = HiddenField()
    expected_fee_cents = HiddenField()
