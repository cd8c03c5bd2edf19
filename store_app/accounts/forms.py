"""Forms of the accounts pages. Labels are translated lazily, in the user's language."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form, choice_list

REQUIRED = _l("This field is required.")


class LoginForm(Form):
    phone = StringField(_l("Mobile number"), validators=[DataRequired(REQUIRED), Length(max=32)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    next = HiddenField()


class AddressFields:
    """Building and unit, shared by registration and the address book."""

    building_id = SelectField(_l("Building"), coerce=str, validate_choice=False,
                              validators=[DataRequired(_l("Please choose your building from the list."))])
    unit = StringField(_l("Unit / room"), validators=[DataRequired(REQUIRED), Length(max=64)],
                       render_kw={"placeholder": _l("e.g. 2-1203")})


# The building list's choice for someone who lives farther away: no address, pickup at the store.
PICKUP_ONLY = "pickup"


class RegisterForm(AddressFields, Form):
    # Not needed for pickup at the store (register_resident asks for it with a building).
    unit = StringField(_l("Unit / room"), validators=[Length(max=64)], render_kw={"placeholder": _l("e.g. 2-1203")})
    phone = StringField(_l("Mobile number"), validators=[DataRequired(REQUIRED), Length(max=32)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})
    name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=80)],
                       render_kw={"autocomplete": "name"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             render_kw={"autocomplete": "new-password"})
    invite_code = StringField(_l("Invite code (optional)"), validators=[Length(max=20)],
                              render_kw={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"})


class AddressForm(AddressFields, Form):
    label = StringField(_l("Label (optional)"), validators=[Length(max=40)],
                        render_kw={"placeholder": _l("e.g. Home, Grandma")})


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                                 render_kw={"autocomplete": "new-password"})


class MemberNameForm(Form):
    """A team member's name, and its Latin spelling shown on English pages."""

    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=80)])
    name_en = StringField(_l("Name in Latin letters, for English pages (optional)"), validators=[Length(max=80)],
                          render_kw={"lang": "en", "autocomplete": "off"})


class TeamMemberForm(Form):
    role = SelectField(_l("Role"), choices=choice_list([("staff", _l("Staff")), ("courier", _l("Courier"))]))
    phone = StringField(_l("Mobile number"), validators=[DataRequired(REQUIRED), Length(max=32)],
                        render_kw={"inputmode": "tel"})
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=80)])
    name_en = StringField(_l("Name in Latin letters, for English pages (optional)"), validators=[Length(max=80)],
                          render_kw={"lang": "en", "autocomplete": "off"})
    password = PasswordField(_l("Initial password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             render_kw={"autocomplete": "new-password"})


class DeviceTokenForm(Form):
    """A new device token: what the device is, and whose account it acts as."""

    name = StringField(_l("Device name"), validators=[
        DataRequired(REQUIRED), Length(max=60, message=_l("This text is too long: at most %(max)d characters."))],
                       render_kw={"placeholder": _l("e.g. Counter tablet 2")})
    user_id = SelectField(_l("Acts as"), coerce=str, validate_choice=False)
