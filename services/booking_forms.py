"""The resident's booking forms: pick a slot, confirm (address, description, photos, payment), move to
another slot. Every form carries its CSRF token; those that create a booking carry an idempotency key."""
import secrets
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, MultipleFileField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from store_app.uploads.photos import PhotoError, reencode
from store_app.web.forms import Form, choice_list

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 8 * 1024 * 1024


def new_key():
    """A fresh idempotency key for a form that creates a booking."""
    return secrets.token_urlsafe(16)


def parse_start(text):
    """An aware UTC instant from a slot's value (ISO 8601 with its offset), or None for anything else."""
    if not isinstance(text, str) or not 16 <= len(text) <= 40:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    if found.tzinfo is None or not 2000 <= found.year <= 2100:
        return None
    return found.astimezone(timezone.utc)


class SlotForm(Form):
    """A slot button: the start and the key that makes a double tap hold once."""

    starts_at = HiddenField(validators=[InputRequired()])
    idempotency_key = HiddenField(validators=[InputRequired(), Length(min=8, max=64)])


class RescheduleForm(Form):
    starts_at = HiddenField(validators=[InputRequired()])


class ConfirmForm(Form):
    address_id = SelectField(_l("Address"), coerce=int, validate_choice=False,
                             validators=[InputRequired(_l("Choose one of your saved addresses."))])
    description = TextAreaField(_l("What needs doing"), validators=[Length(max=1000)],
                                render_kw={"placeholder": _l("e.g. kitchen and living room, a cat at home"),
                                           "maxlength": 1000, "rows": 3})
    photos = MultipleFileField(_l("Photos (optional, up to 3)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})
    payment_method = RadioField(_l("Payment"), default="wallet",
                                validators=[InputRequired(_l("Choose how to pay."))])

    def __init__(self, *args, addresses=(), accepts_cash=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.address_id.choices = choice_list([(address.id, address.one_line()) for address in addresses])
        pay = [("wallet", _l("Wallet: the price is held now, returned if you cancel in time"))]
        if accepts_cash:
            pay.append(("cash", _l("Cash to the vendor on site")))
        self.payment_method.choices = choice_list(pay)

    def photo_files(self):
        """The re-encoded photos sent, or None after putting a message on the field."""
        files = [item for item in (self.photos.data or []) if getattr(item, "filename", "")]
        if len(files) > MAX_PHOTOS:
            self.photos.errors = [_l("At most 3 photos.")]
            return None
        kept = []
        for item in files:
            data = item.read(MAX_PHOTO_BYTES + 1)
            try:
                if len(data) > MAX_PHOTO_BYTES:
                    raise PhotoError("too_big")
                kept.append(reencode(data))
            except PhotoError:
                self.photos.errors = [_l("Send photos as JPEG, PNG or WebP, up to 8 MB each.")]
                return None
        return kept
