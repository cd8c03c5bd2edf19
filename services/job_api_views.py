"""The vendor's jobs in the JSON API (``/api/v1/services/jobs``): open offers and taken jobs, accept and
decline. The same operations and rules as the inbox; the exact address and phone only once accepted."""
from flask import jsonify
from flask_login import current_user
from pydantic import BaseModel, Field

from store_app.database import transaction, utcnow
from store_app.errors import DomainError
from store_app.roles import Role
from store_app.web.api import SIGNED_IN, api_error, documented
from store_app.web.guards import role_required
from store_app.web.i18n import localized

from . import job_cards, offers, reoffers
from .blueprints import api_bp

vendor_only = role_required(Role.VENDOR)


class JobOut(BaseModel):
    booking_id: int
    status: str = Field(description="requested, reoffered, escalated, accepted, on_the_way, arrived, in_progress, done")
    category: str
    title: str
    starts_at: str = Field(description="ISO 8601 UTC")
    ends_at: str
    area: str = Field(description="The building or area (all that is shown before acceptance)")
    description: str
    price_cents: int = Field(ge=0)
    answer_by_at: str | None = Field(description="For an open offer: the deadline to answer, ISO 8601 UTC")
    address: str | None = Field(description="The exact address, only once this vendor accepted")
    contact_phone: str | None = Field(description="The resident's phone, only once this vendor accepted")


class JobsOut(BaseModel):
    offered: list[JobOut]
    accepted: list[JobOut]


def _job_json(c):
    b = c.booking
    return {"booking_id": b.id, "status": b.status, "category": localized(b.category),
            "title": localized(b.offering, "title"), "starts_at": b.starts_at.isoformat(),
            "ends_at": b.ends_at.isoformat(), "area": localized(c, "area"), "description": b.description,
            "price_cents": b.price_cents,
            "answer_by_at": c.answer_by_at.isoformat() if c.is_offer else None,
            "address": b.address_text if c.contact_shown else None,
            "contact_phone": b.contact_phone if c.contact_shown else None}


@api_bp.get("/jobs")
@documented(ok=(200, JobsOut), errors=(403, 404), security=SIGNED_IN, tags=["services"])
@vendor_only
def api_jobs():
    """The vendor's jobs: open offers (soonest deadline first) and accepted jobs not yet over."""
    try:
        vendor = offers.vendor_for(current_user)
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    offered, taken = job_cards.list_jobs(vendor, utcnow())
    return jsonify(offered=[_job_json(c) for c in offered], accepted=[_job_json(c) for c in taken])


def _answer(operation, booking_id):
    now = utcnow()
    try:
        with transaction():
            booking = operation(current_user, booking_id, now)
            body = _job_json(job_cards.card(booking, offers.vendor_for(current_user), now))
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    return jsonify(body)


@api_bp.post("/jobs/<int:booking_id>/accept")
@documented(ok=(200, JobOut), errors=(403, 404, 409), security=SIGNED_IN, tags=["services"])
@vendor_only
def api_accept(booking_id):
    """Accept an offered job: 409 when the offer closed, another vendor won, or no crew is free;
    403 when the vendor is suspended or not approved."""
    return _answer(offers.accept_job, booking_id)


@api_bp.post("/jobs/<int:booking_id>/decline")
@documented(ok=(200, JobOut), errors=(403, 404, 409), security=SIGNED_IN, tags=["services"])
@vendor_only
def api_decline(booking_id):
    """Decline an offered job: it is offered to other vendors (409 when the offer closed)."""
    return _answer(reoffers.decline_job, booking_id)
