"""What the vendor pages and the vetting pages share: the vendor role's guard, the logged-in
vendor, and running one operation for a form (a domain error shown on the form, the page filled in)."""
from flask_login import current_user

from store_app.database import transaction
from store_app.errors import DomainError
from store_app.roles import Role
from store_app.web.forms import show_error
from store_app.web.guards import role_required

from .errors import NotFound
from .vendor_setup import get_vendor_for_user

vendor_only = role_required(Role.VENDOR)


def current_vendor():
    """The logged-in login's ``Vendor``; ``NotFound`` (a 404 page) when it has none."""
    vendor = get_vendor_for_user(current_user.id)
    if vendor is None:
        raise NotFound()
    return vendor


def attempt(form, operation):
    """Run ``operation`` in one transaction: ``(result, 200)``, or ``(None, status)`` with the domain
    error shown on the form (the page comes back filled in)."""
    try:
        with transaction():
            return operation(), 200
    except DomainError as exc:
        show_error(form, exc)
        return None, exc.status
