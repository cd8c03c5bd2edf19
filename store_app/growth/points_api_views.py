"""Points and referrals in the JSON API (``/api/v1``), for a resident's logged-in browser or device:
the points balance, tier and entries; the invite code, link, invitations and the building's households."""
from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import utcnow
from ..roles import Role
from ..web.api import SIGNED_IN, documented
from ..web.guards import role_required
from . import points, referrals
from .referral_presenters import invite_link, masked_name

bp = Blueprint("points_api", __name__)
resident_only = role_required(Role.RESIDENT)


class PointsEntryOut(BaseModel):
    amount: int = Field(description="Points in (positive) or out (negative)")
    reason: str = Field(description="purchase, refund, redeem, referral or referral_back")
    created_at: str = Field(description="ISO 8601 UTC")


class PointsOut(BaseModel):
    balance: int = Field(ge=0)
    lifetime_earned: int = Field(ge=0)
    tier: str = Field(description="basic, silver or gold")
    qualifying_points: int = Field(ge=0, description="Points earned on purchases (after refunds) in the last 365 days")
    next_tier: str | None = Field(description="The tier above, null at the top")
    points_to_next_tier: int = Field(ge=0)
    grace_until: str | None = Field(
        description="Below the tier's threshold: the tier is kept until then (ISO 8601 UTC)")
    entries: list[PointsEntryOut] = Field(description="The newest 30, newest first")


class InvitationOut(BaseModel):
    friend: str = Field(description="The friend's name, masked")
    status: str = Field(description="joined, waiting (first order in its refund window), rewarded or taken_back")
    joined_at: str


class ReferralOut(BaseModel):
    code: str
    link: str
    building: str | None = Field(description="The resident's default address's building")
    building_households: int = Field(ge=0, description="Households there with a completed purchase at the store")
    invitations: list[InvitationOut]


@bp.get("/api/v1/points")
@documented(ok=(200, PointsOut), errors=(403,), security=SIGNED_IN, tags=["growth"])
@resident_only
def api_points():
    """The resident's points: balance, tier, progress and the newest entries."""
    summary = points.load_summary(current_user, utcnow())
    return jsonify(
        balance=summary.balance, lifetime_earned=summary.lifetime_earned, tier=summary.tier.value,
        qualifying_points=summary.qualifying, next_tier=summary.next_tier.tier.value if summary.next_tier else None,
        points_to_next_tier=summary.needed,
        grace_until=summary.grace_until.isoformat() if summary.grace_until else None,
        entries=[{"amount": e.amount, "reason": e.reason, "created_at": e.created_at.isoformat()}
                 for e in points.list_entries(current_user.id)])


@bp.get("/api/v1/referrals")
@documented(ok=(200, ReferralOut), errors=(403,), security=SIGNED_IN, tags=["growth"])
@resident_only
def api_referrals():
    """The resident's invite code and link, their invitations, and their building's households."""
    user = current_user._get_current_object()
    code = referrals.code_for(user)
    building, households = referrals.building_households(user)
    return jsonify(code=code, link=invite_link(code, user.store_id), building=building.name if building else None,
                   building_households=households,
                   invitations=[{"friend": masked_name(i.friend), "status": i.status,
                                 "joined_at": i.referral.created_at.isoformat()}
                                for i in referrals.list_invitations(user)])
