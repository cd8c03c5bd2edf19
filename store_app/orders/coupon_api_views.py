"""``POST /api/v1/coupons/apply``: the resident's cart priced with coupons, delivered or collected,
without reserving anything (the checkout reserves them when the order is placed)."""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.api import SIGNED_IN, api_error, documented
from ..web.guards import role_required
from ..web.params import json_object
from . import checkout, errors

bp = Blueprint("coupon_apply_api", __name__)
resident_only = role_required(Role.RESIDENT)
MAX_COPIES = 10


class ApplyIn(BaseModel):
    grant_ids: list[int] | None = Field(None, max_length=MAX_COPIES, description=(
        "The resident's coupon copies to use; left out: the best combination is chosen"))
    fulfilment: str = Field("delivery", description="delivery or pickup")
    address_id: int | None = Field(None, ge=1, description="The delivery address; the default one if left out")


class UsableOut(BaseModel):
    grant_id: int
    coupon_id: int
    discount_cents: int = Field(ge=0, description="What this copy alone takes off")


class ApplyOut(BaseModel):
    grant_ids: list[int] = Field(description="The copies applied")
    subtotal_cents: int = Field(ge=0)
    delivery_fee_cents: int = Field(ge=0)
    discount_cents: int = Field(ge=0)
    fee_discount_cents: int = Field(ge=0, description="The part of the discount taken off the delivery fee")
    total_cents: int = Field(ge=0)
    usable: list[UsableOut] = Field(description="Every copy the resident could use on this cart")


def _ids(value):
    """The copies asked for, or None for "choose the best"; a message when they are not ids."""
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) > MAX_COPIES
            or any(not isinstance(v, int) or isinstance(v, bool) or not 0 < v < 2**31 for v in value)):
        return _("Choose coupons by their ids.")
    return value


@bp.post("/api/v1/coupons/apply")
@documented(json=ApplyIn, ok=(200, ApplyOut), errors=(403, 409), security=SIGNED_IN, tags=["coupons"])
@resident_only
def api_apply():
    """Price the resident's cart with coupons (a quote: nothing is reserved). 409 when a chosen copy
    does not fit the cart, is not theirs or is not usable now; 400 for an empty cart."""
    data = json_object(request)
    wanted = _ids(data.get("grant_ids"))
    fulfilment, address_id = data.get("fulfilment", "delivery"), data.get("address_id")
    if isinstance(wanted, str):
        return api_error(wanted, 400)
    if fulfilment not in ("delivery", "pickup"):
        return api_error(errors.FulfilmentInvalid.message, 400)
    if address_id is not None and (not isinstance(address_id, int) or isinstance(address_id, bool)):
        return api_error(errors.AddressMissing.message, 400)
    address = next((a for a in current_user.addresses if a.id == address_id), None) if address_id else \
        current_user.default_address()
    pickup = fulfilment == "pickup"
    if address is None and not pickup:
        return api_error(errors.AddressMissing.message, 400)
    now = utcnow()
    try:
        cart, _quote, _slots, totals, offer = checkout.checkout_page_options(current_user, address, now, pickup=pickup,
                                                                            wanted_grant_ids=None)
        if not cart.lines:
            raise errors.EmptyCart()
        chosen = list(offer.chosen_ids)
        if wanted is not None:
            _c, _q, _s, totals = checkout.checkout_options(current_user, address, now, pickup=pickup, grant_ids=wanted)
            chosen = sorted(set(wanted))
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    return jsonify(grant_ids=chosen, subtotal_cents=totals.subtotal_cents, delivery_fee_cents=totals.delivery_fee_cents,
                   discount_cents=totals.discount_cents, fee_discount_cents=totals.fee_discount_cents,
                   total_cents=totals.total_cents,
                   usable=[{"grant_id": grant.id, "coupon_id": coupon.id, "discount_cents": cents}
                           for grant, coupon, cents in offer.usable])
