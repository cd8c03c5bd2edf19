"""What residents, vendors and staff are told about money, complaints, disputes, reviews and standing:
the messages (one per ``dedupe_key``), how each reads in the reader's language (``@renderer``), and
the sentences the operations' ``FieldError``s carry."""
from flask_babel import gettext as _, lazy_gettext as _l

from store_app.accounts.models import User
from store_app.database import format_cents
from store_app.extensions import db
from store_app.notifications.operations import notify, notify_many
from store_app.notifications.presenters import renderer
from store_app.roles import Role

STAFF_ROLES = (Role.STAFF.value, Role.OWNER.value)


def staff_ids(store_id):
    """The store's enabled staff and owners."""
    return db.session.scalars(db.select(User.id).where(User.store_id == store_id, User.role.in_(STAFF_ROLES),
                                                       User.is_enabled.is_(True)).order_by(User.id)).all()


def _tell_staff(store_id, kind, key, params, link, now):
    notify_many([dict(user_id=user_id, store_id=store_id, kind=kind, dedupe_key=key, params=params, link=link)
                 for user_id in staff_ids(store_id)], now)


def _vendor_owner(vendor_id):
    from .models import Vendor

    return db.session.get(Vendor, vendor_id)


# ---- the messages ---------------------------------------------------------------------------------

def tell_vendor_paid(vendor, amount_cents, now):
    notify(vendor.owner_id, vendor.store_id, "services_payout", f"services_payout:{vendor.id}:{now.isoformat()}",
           {"amount_cents": amount_cents}, "/vendor/money", now=now)


def tell_claim_filed(claim, now):
    booking = claim.booking
    params = {"booking": booking.id, "kind": claim.kind, "decide_by": claim.decide_by_at.isoformat()}
    _tell_staff(booking.store_id, "services_claim_filed", f"services_claim:{claim.id}", params,
                "/console/services/claims", now)
    vendor = _vendor_owner(claim.vendor_id)
    notify(vendor.owner_id, booking.store_id, "services_claim_against", f"services_claim:{claim.id}", params,
           "/vendor/money/claims", now=now)


def tell_claim_decided(claim, now):
    params = {"booking": claim.booking_id, "status": claim.status, "refund_cents": claim.refund_cents}
    notify(claim.resident_id, claim.booking.store_id, "services_claim_decided",
           f"services_claim_decided:{claim.id}", params, f"/services/bookings/{claim.booking_id}/claim", now=now)


def tell_vendor_redo(redo, now):
    vendor = _vendor_owner(redo.vendor_id)
    notify(vendor.owner_id, redo.store_id, "services_redo_offered", f"services_redo:{redo.id}",
           {"booking": redo.id, "starts_at": redo.starts_at.isoformat()}, "/vendor", now=now)


def tell_vendor_reviewed(review, now):
    vendor = _vendor_owner(review.vendor_id)
    notify(vendor.owner_id, vendor.store_id, "services_reviewed", f"services_review:{review.id}",
           {"stars": review.stars}, "/vendor/money/reviews", now=now)


def tell_dispute_filed(dispute, vendor, now):
    _tell_staff(vendor.store_id, "services_dispute_filed", f"services_dispute:{dispute.id}",
                {"vendor": vendor.name, "booking": dispute.booking_id}, "/console/services/disputes", now)


def tell_dispute_decided(dispute, now):
    vendor = _vendor_owner(dispute.vendor_id)
    notify(vendor.owner_id, vendor.store_id, "services_dispute_decided", f"services_dispute_decided:{dispute.id}",
           {"booking": dispute.booking_id, "status": dispute.status}, "/vendor/money/claims", now=now)


def tell_standing_changed(vendor, event, now):
    params = {"from": event.from_standing, "to": event.to_standing, "reason": event.reason}
    notify(vendor.owner_id, vendor.store_id, "services_standing", f"services_standing:{event.id}", params,
           "/vendor/standing", now=now)
    if event.to_standing == "suspended":
        _tell_staff(vendor.store_id, "services_vendor_suspended", f"services_standing:{event.id}",
                    {**params, "vendor": vendor.name}, "/console/services/standing", now)


def tell_staff_appeal(vendor, appeal, now):
    _tell_staff(vendor.store_id, "services_appeal", f"services_appeal:{appeal.id}", {"vendor": vendor.name},
                "/console/services/standing", now)


def tell_appeal_refused(vendor, appeal, now):
    notify(vendor.owner_id, vendor.store_id, "services_appeal_refused", f"services_appeal_refused:{appeal.id}",
           {}, "/vendor/standing", now=now)


# ---- how they read --------------------------------------------------------------------------------

def claim_status_label(status):
    labels = {"open": _l("Waiting for the store's decision"), "redo": _l("A free redo was booked"),
              "refunded": _l("Refunded"), "rejected": _l("Not covered"), "disputed": _l("Disputed by the vendor")}
    return labels.get(status, status)


def standing_label(standing):
    labels = {"good": _l("Good standing"), "probation": _l("On probation"), "suspended": _l("Suspended")}
    return labels.get(standing, standing)


def reason_label(reason):
    labels = {
        "complaints": _l("Too many upheld complaints in 90 days"),
        "low_rating": _l("Average rating below 4.0"),
        "late": _l("Too many late arrivals"),
        "low_acceptance": _l("Too few job offers accepted"),
        "restored": _l("Back above every threshold"),
        "appeal_granted": _l("Appeal granted"),
        "reinstated": _l("Reinstated by the store"),
    }
    return labels.get(reason, reason)


@renderer("services_payout")
def _payout(params):
    return _("Payout sent"), _("The store paid you %(amount)s.", amount=format_cents(params.get("amount_cents", 0)))


@renderer("services_claim_filed")
def _claim_filed(params):
    return (_("New service complaint"),
            _("A resident complained about job #%(booking)s. Decide within 48 hours.", booking=params.get("booking")))


@renderer("services_claim_against")
def _claim_against(params):
    return (_("A resident complained about a job"),
            _("Job #%(booking)s: the store will decide. You may dispute it with a reason.",
              booking=params.get("booking")))


@renderer("services_claim_decided")
def _claim_decided(params):
    return (_("Your complaint was decided"),
            _("Job #%(booking)s: %(status)s.", booking=params.get("booking"),
              status=claim_status_label(params.get("status", ""))))


@renderer("services_redo_offered")
def _redo_offered(params):
    return _("A free redo to do"), _("The store booked redo job #%(booking)s for you. Please accept it.",
                                     booking=params.get("booking"))


@renderer("services_reviewed")
def _reviewed(params):
    return _("New review"), _("A resident gave you %(stars)s stars.", stars=params.get("stars"))


@renderer("services_dispute_filed")
def _dispute_filed(params):
    return _("New vendor dispute"), _("%(vendor)s disputes job #%(booking)s.", vendor=params.get("vendor", ""),
                                      booking=params.get("booking"))


@renderer("services_dispute_decided")
def _dispute_decided(params):
    upheld = params.get("status") == "upheld"
    return (_("Your dispute was decided"),
            _("Job #%(booking)s: upheld.", booking=params.get("booking")) if upheld
            else _("Job #%(booking)s: not upheld.", booking=params.get("booking")))


@renderer("services_standing")
def _standing(params):
    return (_("Your standing: %(standing)s", standing=standing_label(params.get("to", ""))),
            str(reason_label(params.get("reason", ""))))


@renderer("services_vendor_suspended")
def _suspended(params):
    return (_("Vendor suspended"),
            _("%(vendor)s: %(reason)s.", vendor=params.get("vendor", ""),
              reason=reason_label(params.get("reason", ""))))


@renderer("services_appeal")
def _appeal(params):
    return _("New appeal"), _("%(vendor)s appeals their suspension.", vendor=params.get("vendor", ""))


@renderer("services_appeal_refused")
def _appeal_refused(params):
    return _("Appeal refused"), _("The store refused your appeal. The reason is on your standing page.")


# ---- sentences for form fields --------------------------------------------------------------------

def give_reason():
    return _l("Please give a reason (a few words).")


def choose_kind():
    return _l("Choose what went wrong.")


def describe_problem():
    return _l("Describe the problem in 5 to 1000 characters.")


def refund_range(cap_cents):
    return _("Enter an amount from ¥0.01 to %(cap)s.", cap=format_cents(cap_cents))


def choose_vendor():
    return _l("Choose a vetted vendor in good standing.")


def vendor_without_offering():
    return _l("This vendor offers nothing in this category.")


def start_in_future():
    return _l("Choose a start in the future.")


def choose_stars():
    return _l("Choose 1 to 5 stars.")


def text_length(limit):
    return _("Write at most %(max)d characters.", max=limit)


def explain_appeal():
    return _l("Explain in 10 to 1000 characters what you changed.")


def photo_problem(code):
    if code == "too_many_pixels":
        return _l("This photo has too many pixels. Please send a smaller one.")
    return _l("This file is not a photo we can read (JPEG, PNG or WebP).")


def restore_hint(reason):
    """What brings a vendor back above the threshold ``reason`` names."""
    hints = {
        "complaints": _l("Fewer than 3 upheld complaints in the last 90 days."),
        "low_rating": _l("An average rating of 4.0 stars or more."),
        "late": _l("Arriving on time (within %(grace)d minutes of the start) at %(pct)d%% of jobs or more.",
                   grace=15, pct=70),
        "low_acceptance": _l("Accepting at least half of the jobs offered to you."),
    }
    return hints.get(reason, "")
