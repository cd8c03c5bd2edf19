"""Forms of reviews: the resident's (stars as radio buttons, a few words) and staff's (hide, reply)."""
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..web.forms import Form, choice_list
from .review_rules import MAX_REASON, MAX_TEXT

TOO_LONG = _l("Keep it to %(max)d characters.")


def star_choices():
    """Five to one star, best first, each with its words (the radio buttons' labels)."""
    return choice_list([("5", _l("5 stars: excellent")), ("4", _l("4 stars: good")), ("3", _l("3 stars: fair")),
                        ("2", _l("2 stars: poor")), ("1", _l("1 star: bad"))])


def _text_field(label):
    return TextAreaField(label, validators=[Length(max=MAX_TEXT, message=TOO_LONG)],
                         render_kw={"maxlength": MAX_TEXT, "rows": 4})


class ProductReviewForm(Form):
    rating = RadioField(_l("Your rating"), validators=[InputRequired(_l("Choose 1 to 5 stars."))])
    text = _text_field(_l("Your review (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = star_choices()


class OrderReviewForm(ProductReviewForm):
    # Not asked of a pickup order (no courier); optional otherwise.
    delivery_rating = RadioField(_l("How fast was the delivery? (optional)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.delivery_rating.choices = star_choices()


class HideForm(Form):
    reason = StringField(_l("Why hide it (recorded)"), validators=[
        DataRequired(_l("Please give a reason (a few words).")), Length(max=MAX_REASON, message=TOO_LONG)],
        render_kw={"maxlength": MAX_REASON})


class ReplyForm(Form):
    text = TextAreaField(_l("The store's reply (public, once)"), validators=[
        DataRequired(_l("Write a reply first.")), Length(max=MAX_TEXT, message=TOO_LONG)],
        render_kw={"maxlength": MAX_TEXT, "rows": 3})
