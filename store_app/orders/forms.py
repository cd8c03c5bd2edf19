"""Checkout form."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..web.forms import Form, choice_list


class CheckoutForm(Form):
    address_id = SelectField(_l("Deliver to"), coerce=int,
                             validators=[DataRequired(_l("Please choose a delivery address."))])
    payment_method = RadioField(_l("Payment"), choices=choice_list([("wallet", _l("Store wallet")),
                                                                    ("cash", _l("Cash on delivery")),
                                                                    ("card", _l("Card on delivery"))]),
                                default="wallet", validators=[DataRequired(_l("Please choose how to pay."))])
    slot = SelectField(_l("Delivery time"), choices=[], validate_choice=False, validators=[Optional()])
    note = StringField(_l("Note for the store (optional)"), validators=[Length(max=200)],
                       render_kw={"placeholder": _l("e.g. no straws, call before")})
    # Waiting parcels from the parcel station to bring along (checked again by place_order).
    parcel_ids = SelectMultipleField(_l("Bring my parcels along"), coerce=int, choices=[], validate_choice=False)
    idempotency_key = HiddenField()
    expected_total_cents = HiddenField()  # the goods total shown, without the parcels' fee
