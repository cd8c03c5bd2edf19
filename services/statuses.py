"""The marketplace's status names, framework-free so pure rules can use them."""
from enum import StrEnum


class BookingStatus(StrEnum):
    HELD = "held"                  # the slot is held for 5 minutes while the resident confirms
    REQUESTED = "requested"        # confirmed and paid (or cash): waiting for the vendor to accept
    REOFFERED = "reoffered"        # declined or not answered: offered to every other suitable vendor
    ESCALATED = "escalated"        # nobody took it in time: staff place it by hand
    ACCEPTED = "accepted"          # a vendor took it: the address and phone are shown to them
    ON_THE_WAY = "on_the_way"      # the crew left for the address
    ARRIVED = "arrived"            # at the door
    IN_PROGRESS = "in_progress"    # working
    DONE = "done"                  # the vendor finished (with photos): waiting for the resident
    COMPLETED = "completed"        # the resident confirmed (or 48 h passed): paid out, reviewable
    REVIEWED = "reviewed"          # the resident left a review
    EXPIRED = "expired"            # a hold that lapsed, or a job nobody took before its time
    CANCELLED = "cancelled"        # by the resident, the vendor or staff (``cancelled_by``)
    NO_SHOW = "no_show"            # the resident was not there: the category's no-show fee
    VENDOR_NO_SHOW = "vendor_no_show"  # the vendor cancelled late or never came: full refund
    DISPUTED = "disputed"          # the vendor disputes a no-show: staff decide


# Bookings that keep a crew's time: the no-double-booking constraint covers exactly these.
OCCUPYING = ("held", "requested", "accepted", "on_the_way", "arrived", "in_progress")
