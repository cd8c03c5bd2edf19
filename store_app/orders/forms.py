"""Checkout form."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..web.forms import Form, choice_list


class CheckoutForm(Form):
    # Delivery or pickup at the store (到店自提); a pickup needs no address (place_order checks it).
    fulfilment = RadioField(_l("How do you get your order?"),
                            choices=choice_list([("delivery", _l("Delivery to my door")),
                                                 ("pickup", _l("Pickup at the store"))]),
                            default="delivery", validators=[DataRequired(_l("Please choose delivery or pickup at the store."))])
    address_id = SelectField(_l("Deliver to"), coerce=int, validate_choice=False, validators=[Optional()])
    payment_method = RadioField(_l("Payment"), choices=choice_list([("wallet", _l("Store wallet")),
                                                                    ("cash", _l("Cash on delivery")),
                                                                    ("card", _l("Card on delivery"))]),
                                validators=[DataRequired(_l("Please choose how to pay."))])
    slot = SelectField(_l("Delivery time"), choices=[], validate_choice=False, validators=[Optional()])
    note = StringField(_l("Note for the store (optional)"), validators=[Length(max=200)],
                       render_kw={"placeholder": _l("e.g. no straws, call before")})
    # Waiting parcels from the parcel station to bring along (checked again by place_order).
    parcel_ids = SelectMultipleField(_l("Bring my parcels along"), coerce=int, choices=[], validate_choice=False)
    # The resident's coupon copies to use (growth); "coupons_chosen" says the list is their choice (an
    # empty list: none), so a first visit pre-selects the best ones instead.
    coupon_ids = SelectMultipleField(_l("Coupons"), coerce=int, choices=[], validate_choice=False)
    coupons_chosen = HiddenField(default="1")
    idempotency_key = HiddenField()
    expected_total_cents = HiddenField()  # the goods total shown, without the parcels' fee
