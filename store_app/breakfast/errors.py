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


# ---- the staff side: menu, settings, calendar, days ----------------------------------------------

class DayNotOpen(BreakfastError):
    status = 409
    message = _l("This breakfast day is no longer open: someone closed it, or its cutoff passed. "
                 "Reload the page to see it as it is now.")


class ReasonRequired(BreakfastError):
    field = "reason"
    message = _l("Say why the day is closed: parents are told this reason.")


class DayTimesInvalid(BreakfastError):
    def __init__(self, field, message):
        super().__init__(field, message)
        self.field = field
        self.message = message


class CapacityBelowTaken(BreakfastError):
    status = 409
    field = "daily_capacity"

    def __init__(self, dates=(), needed=0):
        super().__init__(dates, needed)
        self.dates = tuple(dates)
        self.message = _l("The capacity cannot go below what is already ordered: %(needed)d portions are taken "
                          "on %(dates)s. Choose at least %(needed)d.", needed=needed,
                          dates=", ".join(d.isoformat() for d in dates))


class ItemNotFound(BreakfastError):
    status = 404
    message = _l("This breakfast item does not exist.")


class SettingsInvalid(BreakfastError):
    def __init__(self, field, message):
        super().__init__(field, message)
        self.field = field
        self.message = message


class OverrideInvalid(BreakfastError):
    def __init__(self, field, message):
        super().__init__(field, message)
        self.field = field
        self.message = message


class OverrideNotFound(BreakfastError):
    status = 404
    message = _l("This calendar change does not exist.")


class OverrideHitsFrozenDays(BreakfastError):
    status = 409
    field = "starts_on"

    def __init__(self, dates=()):
        super().__init__(dates)
        self.dates = tuple(dates)
        self.message = _l("The kitchen already has its sheet for %(dates)s: a closure cannot change those days. "
                          "Start it after them.", dates=", ".join(d.isoformat() for d in dates))


# ---- the kitchen and the pickup desk ----------------------------------------------------------------

class NotCooked(BreakfastError):
    status = 409
    message = _l("This breakfast was not cooked (the wallet was short past the store's grace): there is nothing to hand over.")


class DayNotFrozen(BreakfastError):
    status = 409
    message = _l("This day's cutoff has not passed yet, or its pickup is over: change orders on the day itself.")


class ReasonMissing(BreakfastError):
    field = "reason"
    message = _l("Say why (for example: the parent phoned).")


# ---- the parent's side: subscriptions and the waitlist ---------------------------------------------

class RangeInvalid(BreakfastError):
    field = "starts_on"
    message = _l("Choose a first day from today on and a last day after it, at most 92 days later.")


class SubscriptionNotFound(BreakfastError):
    status = 404
    message = _l("This subscription does not exist.")


class SubscriptionEnded(BreakfastError):
    status = 409
    message = _l("This subscription has ended.")


class NotSoldOut(BreakfastError):
    status = 409
    message = _l("This item still has portions left: order it instead of waiting.")


class AlreadyWaiting(BreakfastError):
    status = 409
    message = _l("This child is already on the waitlist for this item.")


class WaitlistEntryNotFound(BreakfastError):
    status = 404
    message = _l("This waitlist place does not exist.")


class OfferExpired(BreakfastError):
    status = 409
    message = _l("The time to claim this portion has passed: it went to the next parent waiting.")
