"""What staff, couriers and residents are told when a step of an order's fulfilment cannot be taken."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError
from ..orders.errors import OrderError


class NotCancellable(OrderError):
    message = _l("This order can no longer be cancelled: the store has started picking it.")
    status = 409


class CancelReasonInvalid(OrderError):
    def __init__(self, problem):
        super().__init__(problem)
        self.problem = problem
        self.message = (_l("Please say why the order is cancelled (at most 150 characters).") if problem == "text"
                        else _l("Choose why the order is cancelled."))


class DeliveryError(DomainError):
    """A delivery step that cannot be taken."""

    message = _l("This delivery step could not be completed.")


class TaskNotFound(DeliveryError):
    message = _l("We could not find that delivery.")
    status = 404


class TaskConflict(DeliveryError):
    message = _l("This delivery has already moved on. The page has been refreshed.")
    status = 409


class AlreadyPickedUp(DeliveryError):
    message = _l("This order has already been picked up: it can no longer go to another courier.")
    status = 409


class CourierNotFound(DeliveryError):
    message = _l("Choose a courier of this store.")


class CourierOffShift(DeliveryError):
    message = _l("This courier is not on shift: choose a courier who is.")
    status = 409


class CourierFull(DeliveryError):
    message = _l("This courier has no room for another delivery: choose another courier.")
    status = 409


class SameCourier(DeliveryError):
    message = _l("This delivery is already with that courier.")


class TaskNotReady(DeliveryError):
    message = _l("This order is still being packed: it can go to a courier once it is ready.")
    status = 409


class AssignmentChanged(DeliveryError):
    message = _l("The dispatcher or someone else changed this delivery first. The board has been refreshed.")
    status = 409


class CodeFormatInvalid(DeliveryError):
    message = _l("Enter the 4-digit code the resident shows you.")


class FailureReasonInvalid(DeliveryError):
    def __init__(self, problem):
        super().__init__(problem)
        self.problem = problem
        self.message = (_l("Please say what happened (at most 150 characters).") if problem == "text"
                        else _l("Choose why the delivery failed."))


# ---- pickup at the store: the counter ----

class PickupCodeUnknown(OrderError):
    # The same answer for a wrong code, a finished order's code and another store's: a guesser learns nothing.
    message = _l("No order waiting for pickup has this code. Check the code on the resident's phone.")
    status = 404
    field = "code"


class PickupNotReady(OrderError):
    message = _l("This order is not packed yet. Finish picking it on the order board, then hand it over.")
    status = 409


class AlreadyCollected(OrderError):
    message = _l("This order has already been handed over.")
    status = 409
