"""The store's parcel terms: free days then a fee per day, the overdue ladder and the door-delivery
fee. The owner sets them (``update_settings``); handover, the ladder, the door delivery and the
resident's page read them as the pure ``rules`` values."""
from ..extensions import db
from . import errors, rules


def fee_rules(store):
    """The store's storage fee terms as ``rules.FeeRules``: free days, then cents per day."""
    return rules.FeeRules(free_days=store.parcel_free_days, per_day_cents=store.parcel_fee_per_day_cents)


def ladder(store):
    """The store's overdue ladder as ``rules.Ladder``: reminder hours after check-in, then the return day."""
    return rules.Ladder(first_reminder_h=store.parcel_first_reminder_h,
                        second_reminder_h=store.parcel_second_reminder_h,
                        return_after_days=store.parcel_return_days)


def fee_due(store, parcel, now):
    """The storage fee ``parcel`` owes at ``now``, in cents (0 while its free days last)."""
    return rules.storage_fee_cents(parcel.checked_in_at, now, fee_rules(store))


def update_settings(store, *, free_days, fee_per_day_cents, first_reminder_h, second_reminder_h, return_days,
                    door_fee_cents):
    """The owner's parcel settings: free days then a fee per day (cents), the reminder ladder (hours
    after check-in; the second after the first, the return after both) and the door-delivery fee."""
    if second_reminder_h <= first_reminder_h:
        raise errors.RemindersOutOfOrder()
    if return_days * 24 <= second_reminder_h:
        raise errors.ReturnBeforeReminders()
    store.parcel_free_days, store.parcel_fee_per_day_cents = free_days, fee_per_day_cents
    store.parcel_first_reminder_h, store.parcel_second_reminder_h = first_reminder_h, second_reminder_h
    store.parcel_return_days, store.parcel_door_fee_cents = return_days, door_fee_cents
    db.session.flush()
    return store
