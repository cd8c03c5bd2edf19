"""The vendor's forms on a job page: a note (ID check, running late, giving a job back) and the
completion photos."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from store_app.web.forms import Form


class IdCheckForm(Form):
    note = StringField(_l("What you checked (the name on the ID, matching the resident)"),
                       validators=[DataRequired(), Length(max=120)])


class LateForm(Form):
    late_note = StringField(_l("Message to the resident, with your new arrival time"),
                       validators=[DataRequired(), Length(max=120)])


class GiveBackForm(Form):
    reason = TextAreaField(_l("Why you cannot do this job"), validators=[DataRequired(), Length(max=120)])


class DonePhotosForm(Form):
    photos = MultipleFileField(_l("Photos of the finished work"))


class AssignForm(Form):
    vendor_id = StringField(_l("Vendor"), validators=[DataRequired(), Length(max=12)])


class CancelJobForm(Form):
    note = StringField(_l("Reason"), validators=[Length(max=200)])


class ExtraForm(Form):
    amount = StringField(_l("Extra amount (¥)"), validators=[DataRequired(), Length(max=12)])
    extra_note = StringField(_l("What it is for"), validators=[DataRequired(), Length(max=120)])
