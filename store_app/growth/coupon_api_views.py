"""Coupons in the JSON API (``/api/v1/coupons``) for a resident: what they can claim and what they
hold, claiming one, typing a code. Pricing the cart with coupons ("apply") is in
``orders.coupon_api_views`` (the cart is the orders' business). The same rules and limits as the pages."""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import transaction, utcnow
from ..errors import DomainError
from ..extensions import db
from ..roles import Role
from ..web.api import SIGNED_IN, api_error, documented
from ..web.guards import role_required
from ..web.i18n import localized
from ..web.params import json_object
from . import coupons
from .coupon_limits import code_limits
from .coupon_presenters import coupon_terms
from .models import Coupon

bp = Blueprint("coupon_api", __name__)
resident_only = role_required(Role.RESIDENT)
per_account_limit, per_address_limit = code_limits()


class CouponOut(BaseModel):
    coupon_id: int
    kind: str = Field(description="new_user, spend_save, percent, free_delivery or member_day")
    title: str
    terms: str = Field(description="The terms in one line, in the caller's language")
    amount_off_cents: int = Field(ge=0)
    percent_off: int = Field(ge=0, le=100)
    cap_cents: int | None = None
    min_spend_cents: int = Field(ge=0)
    min_items: int = Field(ge=0)
    lines: list[str] = Field(description="The lines of business it applies to")
    stacks: bool = Field(description="Combines with other coupons that also combine")
    ends_at: str = Field(description="ISO 8601 UTC")


class ClaimableOut(CouponOut):
    held: int = Field(ge=0, description="Copies the resident already holds")
    per_user_limit: int = Field(ge=1)
    all_gone: bool


class GrantOut(BaseModel):
    grant_id: int
    status: str = Field(description="available, reserved, used, expired or revoked")
    expires_at: str = Field(description="ISO 8601 UTC")
    used_at: str | None = None
    coupon: CouponOut


class CouponsOut(BaseModel):
    claimable: list[ClaimableOut]
    mine: list[GrantOut] = Field(description="The resident's copies on the tab asked for")


class CouponsQuery(BaseModel):
    tab: str = Field("available", description="available, used or expired", max_length=10)


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, description="The code as printed, e.g. 7KQ4-M2ZD-9XHT-C3PW")


def coupon_json(coupon):
    """A coupon's terms as the API shows them."""
    return {"coupon_id": coupon.id, "kind": coupon.kind, "title": localized(coupon, "title"),
            "terms": coupon_terms(coupon), "amount_off_cents": coupon.amount_off_cents or 0,
            "percent_off": coupon.percent_off or 0, "cap_cents": coupon.cap_cents,
            "min_spend_cents": coupon.min_spend_cents or 0, "min_items": coupon.min_items or 0,
            "lines": sorted(coupon.line_set()), "stacks": bool(coupon.stacks), "ends_at": coupon.ends_at.isoformat()}


def grant_json(grant, coupon):
    """A resident's copy as the API shows it."""
    return {"grant_id": grant.id, "status": grant.status, "expires_at": grant.expires_at.isoformat(),
            "used_at": grant.used_at.isoformat() if grant.used_at else None, "coupon": coupon_json(coupon)}


@bp.get("/api/v1/coupons")
@documented(query=CouponsQuery, ok=(200, CouponsOut), errors=(400, 403), security=SIGNED_IN, tags=["coupons"])
@resident_only
def api_coupons():
    """The coupons the resident can claim now, and their own copies on a tab (available, used, expired)."""
    tab = request.args.get("tab", "available")
    if tab not in ("available", "used", "expired"):
        return api_error(_("Choose available, used or expired."), 400)
    now = utcnow()
    claimable = [coupon_json(coupon) | {"held": held, "per_user_limit": coupon.per_user_limit, "all_gone": gone}
                 for coupon, held, gone in coupons.list_claimable(current_user, now)]
    mine = [grant_json(grant, coupon) for grant, coupon in coupons.list_my_grants(current_user, tab, now)]
    return jsonify(claimable=claimable, mine=mine)


@bp.post("/api/v1/coupons/<int:coupon_id>/claim")
@documented(ok=(201, GrantOut), errors=(403, 404, 409), security=SIGNED_IN, tags=["coupons"])
@resident_only
def api_claim(coupon_id):
    """Claim a copy of a coupon shown in the coupon centre; 409 when all are gone, already held, or
    not for this resident now; 404 for a coupon that is not offered."""
    try:
        with transaction():
            grant = coupons.claim(current_user, coupon_id, utcnow())
            body = grant_json(grant, grant_coupon(grant))
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    return jsonify(body), 201


@bp.post("/api/v1/coupons/redeem")
@documented(json=CodeIn, ok=(201, GrantOut), errors=(403, 429), security=SIGNED_IN, tags=["coupons"])
@resident_only
@per_account_limit
@per_address_limit
def api_redeem():
    """Type a coupon code: a copy of its coupon (201), or the same 400 for every code that gives
    nothing (unknown, expired, used up, already held). Attempts are rate-limited (429)."""
    code = json_object(request).get("code")
    if not isinstance(code, str) or not 0 < len(code) <= 64:
        return api_error(_("Type the code."), 400)
    try:
        with transaction():
            grant = coupons.redeem_code(current_user, code, utcnow())
            body = grant_json(grant, grant_coupon(grant))
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    return jsonify(body), 201


def grant_coupon(grant):
    """The coupon a copy is of."""
    return db.session.get(Coupon, grant.coupon_id)
