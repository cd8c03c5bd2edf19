"""Errors of the accounts domain, each with a message in the user's language."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class AccountError(DomainError):
    """Base class; ``message`` is shown to the user, ``field`` names the form field at fault."""

    message = _l("Something about this account is not right.")
    field = None


class PhoneInvalid(AccountError):
    message = _l("Please enter a valid mobile phone number.")
    field = "phone"


class PhoneTaken(AccountError):
    message = _l("An account with this phone number already exists. Log in instead?")
    field = "phone"


class PasswordTooWeak(AccountError):
    field = "password"

    def __init__(self, problem, min_length):
        super().__init__(problem)
        messages = {
            "too_short": _l("Use at least %(n)d characters for your password.", n=min_length),
            "too_long": _l("Use at most 128 characters for your password."),
            "too_simple": _l("This password is too easy to guess."),
        }
        self.message = messages[problem]


class WrongPassword(AccountError):
    message = _l("Your current password is not right.")
    field = "current_password"


class BuildingUnknown(AccountError):
    message = _l("Please choose your building from the list.")
    field = "building_id"


class UnitMissing(AccountError):
    message = _l("Please give your unit / room, so the courier finds your door.")
    field = "unit"


class RoleNotAllowed(AccountError):
    message = _l("You cannot create an account with this role.")
    field = "role"


class AddressNotFound(AccountError):
    message = _l("That address does not exist.")
    status = 404


class LastAddress(AccountError):
    message = _l("Keep at least one address so we know where to deliver.")


class MemberNotFound(AccountError):
    message = _l("That team member does not exist.")
    status = 404


class DeviceNameMissing(AccountError):
    message = _l("Name the device, e.g. \"Counter tablet\" or \"Li's phone\".")
    field = "name"


class DeviceAccountRefused(AccountError):
    message = _l("Choose a staff or courier account of this store.")
    field = "user_id"


class DeviceTokenNotFound(AccountError):
    message = _l("There is no such device token.")
    status = 404
