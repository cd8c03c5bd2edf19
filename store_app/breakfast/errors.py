"""What parents and staff are told when a breakfast step cannot happen. ``status`` is the HTTP answer."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class BreakfastError(DomainError):
    message = _l("This breakfast step could not be done.")


class DayNotFound(BreakfastError):
    status = 404
    message = _l("There is no breakfast on this date.")


class NotSchoolDay(BreakfastError):
    status = 409
    message = _l("There is no breakfast on this date: it is not a school day.")


class DayClosed(BreakfastError):
    status = 409
    message = _l("Breakfast on this date is closed.")


class OrderingNotOpen(BreakfastError):
    status = 409
    message = _l("Ordering for this date has not opened yet.")


class PastCutoff(BreakfastError):
    status = 409
    message = _l("The order cutoff for this date has passed: nothing can be ordered, changed or cancelled.")


class PastCancelCutoff(BreakfastError):
    status = 409
    message = _l("The cancel cutoff for this date has passed: this breakfast can no longer be changed or skipped.")


class SoldOut(BreakfastError):
    status = 409
    field = "items"

    def __init__(self, item_ids=()):
        super().__init__(item_ids)
        self.item_ids = tuple(item_ids)
        self.message = _l("Sold out: this item has no portions left for this date. You can join its waitlist.")


class ItemNotOffered(BreakfastError):
    status = 409
    field = "items"
    message = _l("This item is not offered on this date.")


class ItemUnknown(BreakfastError):
    status = 404
    field = "items"
    message = _l("This breakfast item does not exist.")


class NothingChosen(BreakfastError):
    field = "items"
    message = _l("Choose at least one item.")


class QuantityInvalid(BreakfastError):
    field = "items"
    message = _l("Each item can be ordered 1 to 5 times.")


class AllergenBlocked(BreakfastError):
    status = 409
    field = "items"

    def __init__(self, item_name="", allergens=(), unknown=False):
        super().__init__(item_name, allergens, unknown)
        self.allergens = tuple(allergens)
        self.unknown = unknown
        if unknown:
            self.message = _l("%(item)s cannot be ordered for this child: its allergen information is incomplete"
                              " and the child has allergies.", item=item_name)
        else:
            self.message = _l("%(item)s cannot be ordered for this child: it contains %(allergens)s.",
                              item=item_name, allergens=", ".join(str(a) for a in allergens))


class AlreadyOrdered(BreakfastError):
    status = 409
    message = _l("This child already has a breakfast on this date. Change that order instead.")


class ChildNotFound(BreakfastError):
    status = 404
    field = "child_id"
    message = _l("This child is not on your account.")


class OrderNotFound(BreakfastError):
    status = 404
    message = _l("This breakfast order does not exist.")


class OrderNotChangeable(BreakfastError):
    status = 409
    message = _l("This breakfast order can no longer be changed.")


class CodeUnknown(BreakfastError):
    status = 404
    field = "code"
    message = _l("No breakfast to collect today has this code.")


class CodeLocked(BreakfastError):
    status = 423
    field = "code"
    message = _l("This pickup code is locked after too many wrong tries. Find the child by name instead.")


class AlreadyCollected(BreakfastError):
    status = 409
    message = _l("This breakfast was already handed over.")


class NotInWindow(BreakfastError):
    status = 409
    message = _l("This breakfast is not for today's pickup.")


class NotCooked(BreakfastError):
    status = 409
    message = _l("This breakfast was not cooked (the wallet was short past the store's grace): there is nothing to hand over.")


class DayNotFrozen(BreakfastError):
    status = 409
    message = _l("This day's cutoff has not passed yet, or its pickup is over: change orders on the day itself.")


class ReasonMissing(BreakfastError):
    field = "reason"
    message = _l("Say why (for example: the parent phoned).")
