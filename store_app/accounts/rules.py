"""Pure rules about accounts: phone numbers, passwords, homes by role."""
import hashlib
import secrets

import phonenumbers

from ..roles import Role

STAFF_ROLES = frozenset({Role.STAFF, Role.OWNER})
# Who may create which accounts: owners and staff add staff and couriers.
CREATABLE_BY = {
    Role.OWNER: frozenset({Role.STAFF, Role.COURIER}),
    Role.STAFF: frozenset({Role.STAFF, Role.COURIER}),
}
HOME_ENDPOINT = {
    Role.RESIDENT: "shop.feed",
    Role.STAFF: "reports.console",
    Role.COURIER: "courier.home",
    Role.VENDOR: "vendor.home",
    Role.OWNER: "reports.dashboard",
}


class InvalidPhone(ValueError):
    """Not a phone number we can reach."""


def normalise_phone(text, region="CN"):
    """A typed phone number -> E.164 (``"+8613800138000"``); ``InvalidPhone`` if it cannot be one.

    Spaces, dashes and a leading ``+86`` or ``0086`` are accepted; the number must be valid for its
    country, not only well formed.
    """
    raw = (text or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(text) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164):
    """``"+8613800138000"`` -> ``"138 0013 8000"`` for Chinese numbers, international format otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def password_problem(password, min_length):
    """None if the password is acceptable, otherwise a short code for what is wrong."""
    if len(password or "") < min_length:
        return "too_short"
    if len(password) > 128:
        return "too_long"
    if password.isdigit() and len(set(password)) <= 2:
        return "too_simple"
    return None


def can_create(actor_role, new_role):
    """Whether someone with ``actor_role`` may create an account with ``new_role``."""
    return Role(new_role) in CREATABLE_BY.get(Role(actor_role), frozenset())


def home_endpoint(role):
    """The endpoint a user lands on after login."""
    return HOME_ENDPOINT[Role(role)]


# Device tokens for the JSON API (counter tablets, couriers' phones).
DEVICE_TOKEN_ROLES = frozenset({Role.STAFF, Role.COURIER})  # accounts a device may act as
DEVICE_TOKEN_PREFIX = "cs_"  # says what the string is when it turns up in a log or a chat
DEVICE_TOKEN_SHOWN_CHARS = 10  # the start of a token, to recognise it in the list


def new_device_token():
    """A fresh device token: the prefix and 256 random bits, URL-safe."""
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_device_token(token):
    """The SHA-256 (hex) of a device token: what is stored and looked up, never the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_device_token(token):
    """A token we could have made (checked before any lookup: junk costs no query)."""
    return (token.startswith(DEVICE_TOKEN_PREFIX) and len(token) <= 64 and token.isascii()
            and token[len(DEVICE_TOKEN_PREFIX):].replace("-", "").replace("_", "").isalnum())
