"""The forms of money, the guarantee, reviews and standing (residents, vendors and staff)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from store_app.web.forms import Form, choice_list


def kind_choices():
    return choice_list([("redo", _l("The work was not done right: I want it redone")),
                        ("damage", _l("Something was damaged"))])


def star_choices():
    return choice_list([(str(n), label) for n, label in ((5, _l("5 stars: excellent")), (4, _l("4 stars: good")),
                                                          (3, _l("3 stars: fair")), (2, _l("2 stars: poor")),
                                                          (1, _l("1 star: bad")))])


class ReviewForm(Form):
    stars = RadioField(_l("Your rating"), validators=[InputRequired(_l("Choose 1 to 5 stars."))])
    text = TextAreaField(_l("Your review (optional)"), validators=[Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stars.choices = star_choices()


class ClaimForm(Form):
    kind = RadioField(_l("What went wrong?"), validators=[InputRequired(_l("Choose what went wrong."))])
    text = TextAreaField(_l("Describe the problem"), validators=[
        DataRequired(_l("Describe the problem in 5 to 1000 characters.")),
        Length(min=5, max=1000, message=_l("Describe the problem in 5 to 1000 characters."))])
    photos = MultipleFileField(_l("Photos (up to 3)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()


class ReasonForm(Form):
    reason = TextAreaField(_l("Your reason"), validators=[
        DataRequired(_l("Please give a reason (a few words).")), Length(min=5, max=500)])


class ReplyForm(Form):
    text = TextAreaField(_l("Your public reply"), validators=[
        DataRequired(_l("Write your reply.")), Length(max=1000)])


class AppealForm(Form):
    text = TextAreaField(_l("What did you change?"), validators=[
        DataRequired(_l("Explain in 10 to 1000 characters what you changed.")),
        Length(min=10, max=1000, message=_l("Explain in 10 to 1000 characters what you changed."))])


class PayoutForm(Form):
    idempotency_key = HiddenField()


class RejectForm(Form):
    note = TextAreaField(_l("Why it is not covered (the resident reads this)"), validators=[
        DataRequired(_l("Please give a reason (a few words).")), Length(max=500)])


class RefundForm(Form):
    amount = StringField(_l("Refund (yuan)"), validators=[DataRequired(_l("Enter an amount."))],
                         render_kw={"inputmode": "decimal"})
    upheld = BooleanField(_l("The vendor was at fault (counts against their score)"), default=True)
    note = StringField(_l("Note to the resident"), validators=[Length(max=500)])


class RedoForm(Form):
    vendor = SelectField(_l("Vendor"), coerce=str, validate_choice=False)
    starts_at = DateTimeLocalField(_l("Start (store time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("Choose a start."))])
    upheld = BooleanField(_l("The vendor was at fault (counts against their score)"), default=True)
    note = StringField(_l("Note to the resident"), validators=[Length(max=500)])


class DecideForm(Form):
    decision = RadioField(_l("Decision"), validators=[InputRequired(_l("Choose a decision."))])
    note = StringField(_l("Note (needed to refuse)"), validators=[Length(max=500)])

    def __init__(self, *args, yes=_l("Uphold"), no=_l("Refuse"), **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choice_list([("yes", yes), ("no", no)])


class HideForm(Form):
    reason = StringField(_l("Why hide it (recorded)"), validators=[
        DataRequired(_l("Please give a reason (a few words).")), Length(max=200)])


class ReinstateForm(Form):
    note = StringField(_l("Why lift the suspension (recorded)"), validators=[
        DataRequired(_l("Please give a reason (a few words).")), Length(max=200)])


def yuan_to_cents(text):
    """``"12.5"`` -> 1250; None for anything that is not a positive amount with at most 2 decimals."""
    text = (text or "").strip().replace("¥", "").replace(",", "")
    whole, dot, frac = text.partition(".")
    if not (whole.isascii() and whole.isdigit()) or len(whole) > 7:
        return None
    if dot and not (frac.isascii() and frac.isdigit() and len(frac) <= 2):
        return None
    return int(whole) * 100 + (int(frac.ljust(2, "0")) if dot else 0)
