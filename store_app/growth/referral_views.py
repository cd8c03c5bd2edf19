"""Referral pages: "Invite your neighbours" (the resident's code, link, QR, their invitations and how
many households of their building already shop here) and the invite link's page for the friend."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..roles import Role
from ..stores.context import resolve_store
from ..web.guards import role_required
from . import referral_rules, referrals
from .referral_presenters import invite_link, masked_name, qr_svg

bp = Blueprint("referrals", __name__)
resident_only = role_required(Role.RESIDENT)


@bp.get("/me/invite")
@resident_only
def invite_neighbours():
    """The resident's invite code, link and QR, their invitations, and their building's households."""
    user = current_user._get_current_object()
    code = referrals.code_for(user)
    link = invite_link(code, user.store_id)
    building, households = referrals.building_households(user)
    return render_template("growth/invite.html", code=code, link=link, qr_svg=qr_svg(link),
                           invitations=referrals.list_invitations(user), building=building,
                           households=households, reward_points=referral_rules.REWARD_POINTS,
                           min_goods_cents=referral_rules.QUALIFYING_MIN_GOODS_CENTS, masked_name=masked_name)


@bp.get("/invite/<code>")
def landing(code):
    """The page an invite link opens: who invites, the offer, and sign-up with the code filled in;
    an unknown code answers 404 with a way to sign up anyway."""
    store = resolve_store()
    inviter = referrals.find_inviter(store.id, code[:20])
    status = 200 if inviter is not None else 404
    return render_template("growth/invite_landing.html", store=store, code=code[:20] if inviter else "",
                           inviter_name=masked_name(inviter) if inviter else "",
                           reward_points=referral_rules.REWARD_POINTS,
                           min_goods_cents=referral_rules.QUALIFYING_MIN_GOODS_CENTS), status
