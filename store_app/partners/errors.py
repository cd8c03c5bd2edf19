"""Partner page errors. ``status`` is the HTTP status a view answers with."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class PartnerError(DomainError):
    message = _l("This could not be done.")
    status = 400


class PartnerNotFound(PartnerError):
    message = _l("We could not find that partner.")
    status = 404


class NothingToPrepare(PartnerError):
    message = _l("This order has nothing of yours to prepare.")
    status = 404


class OrderNoLongerOpen(PartnerError):
    message = _l("This order was cancelled or has already left: nothing to prepare.")
    status = 409
