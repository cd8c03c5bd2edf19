"""Campaigns: a coupon given to a segment, with a budget cap, an optional holdout and its uplift.

A campaign is made as a draft, dry-run (``campaign_checks``), then launched: each resident of the
segment gets one ``CampaignMember`` row (unique per campaign); a deterministic holdout
(``campaign_rules.is_holdout``) gets nothing, the rest get a copy of the coupon
(``coupons.issue_grant(source="campaign")``). Launching again adds whoever joined the segment since
and gives nobody a second copy. The coupon's checkout charges the campaign's budget and pauses it by
itself when the budget is spent (``coupons.reserve``); staff may raise the budget and resume.

Conversion: a member converts with the first purchase completed after they were assigned, inside
the campaign's window (the "completed" handler below, registered with ``purchases``).
"""
from flask_babel import lazy_gettext as _l

from ..database import upsert
from ..extensions import db
from . import campaign_checks, campaign_rules, coupons, errors, purchases, segments
from .models import Campaign, CampaignMember, CampaignStatus, Coupon

STATUS_LABELS = {
    CampaignStatus.DRAFT.value: _l("Draft"),
    CampaignStatus.RUNNING.value: _l("Running"),
    CampaignStatus.PAUSED.value: _l("Paused"),
    CampaignStatus.ENDED.value: _l("Ended"),
}
PAUSE_REASONS = {"budget": _l("Paused by itself: the budget is spent."), "staff": _l("Paused by staff.")}


def list_campaigns(store_id):
    """The store's campaigns, newest first."""
    return list(db.session.scalars(db.select(Campaign).where(Campaign.store_id == store_id)
                                   .order_by(Campaign.created_at.desc(), Campaign.id.desc())))


def get_campaign(store_id, campaign_id):
    """The store's campaign ``campaign_id``; another store's is ``CampaignNotFound`` like a missing one."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.store_id != store_id:
        raise errors.CampaignNotFound()
    return campaign


def _store_coupon(store_id, coupon_id):
    coupon = db.session.get(Coupon, coupon_id) if coupon_id else None
    if coupon is None or coupon.store_id != store_id:
        raise errors.FormInvalid("coupon_id", _l("Choose one of the store's coupons."))
    return coupon


def create_campaign(store_id, *, name, segment, coupon_id, budget_cents, holdout_percent, starts_at, ends_at,
                    actor_id, now):
    """A draft campaign of the store. Checks the segment, the coupon (the store's, in no other live
    campaign), the holdout (0..50 %), the budget (None or more than 0) and the window."""
    name = (name or "").strip()
    if not name:
        raise errors.FormInvalid("name", _l("Give the campaign a name."))
    if not segments.is_segment(segment):
        raise errors.FormInvalid("segment", _l("Choose a segment from the list."))
    coupon = _store_coupon(store_id, coupon_id)
    if coupon.campaign_id is not None:
        owner = db.session.get(Campaign, coupon.campaign_id)
        if owner is not None and owner.status != CampaignStatus.ENDED.value:
            raise errors.FormInvalid("coupon_id", _l("This coupon belongs to another campaign that has not ended."))
    if not 0 <= holdout_percent <= campaign_rules.MAX_HOLDOUT_PERCENT:
        raise errors.FormInvalid("holdout_percent", _l("The holdout is from 0 to 50 %."))
    if budget_cents is not None and budget_cents <= 0:
        raise errors.FormInvalid("budget", _l("The budget must be more than 0, or empty for no cap."))
    if ends_at <= starts_at or ends_at <= now:
        raise errors.FormInvalid("ends_at", _l("The campaign must end after it starts, and in the future."))
    campaign = Campaign(store_id=store_id, name=name, segment=segment, coupon_id=coupon.id,
                        budget_cents=budget_cents, holdout_percent=holdout_percent, starts_at=starts_at,
                        ends_at=ends_at, created_by_id=actor_id, created_at=now,
                        status=CampaignStatus.DRAFT.value)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _move(campaign, target, *, reason=None, extra=None, condition=None):
    """Move the campaign's status with a conditional UPDATE (another move in between loses: 409)."""
    if not campaign_rules.can_move(campaign.status, target):
        raise errors.CampaignMoveRefused()
    query = db.update(Campaign).where(Campaign.id == campaign.id, Campaign.status == campaign.status)
    if condition is not None:
        query = query.where(condition)
    moved = db.session.execute(query.values(status=target, paused_reason=reason, **(extra or {}))).rowcount
    if not moved:
        raise errors.CampaignMoveRefused()
    db.session.refresh(campaign)
    return campaign


def launch_campaign(campaign, now):
    """Launch (or launch again): members assigned, the holdout held out, the rest given the coupon.
    Returns ``(new members, copies given)``. Needs a dry run whose margin check passed."""
    if campaign.status == CampaignStatus.ENDED.value:
        raise errors.CampaignMoveRefused()
    if now >= campaign.ends_at:
        raise errors.CampaignOver()
    if not campaign.dry_run:
        raise errors.CampaignNeedsDryRun()
    refusal = campaign_checks.margin_error(campaign.dry_run)
    if refusal is not None:
        raise refusal
    coupon = db.session.get(Coupon, campaign.coupon_id)
    if campaign.status == CampaignStatus.DRAFT.value:
        _move(campaign, CampaignStatus.RUNNING.value, extra={"launched_at": now})
        coupon.campaign_id = campaign.id
    user_ids = segments.list_segment_user_ids(campaign.store_id, campaign.segment)
    before = _member_count(campaign.id)
    if user_ids:
        db.session.execute(upsert(CampaignMember.__table__).values([
            {"campaign_id": campaign.id, "user_id": uid, "assigned_at": now,
             "holdout": campaign_rules.is_holdout(campaign.id, uid, campaign.holdout_percent)}
            for uid in user_ids]).on_conflict_do_nothing(index_elements=["campaign_id", "user_id"]))
    return _member_count(campaign.id) - before, _give_copies(campaign, coupon, now)


def _member_count(campaign_id):
    return db.session.scalar(db.select(db.func.count()).select_from(CampaignMember).where(
        CampaignMember.campaign_id == campaign_id))


def _give_copies(campaign, coupon, now):
    pending = db.session.scalars(db.select(CampaignMember).where(
        CampaignMember.campaign_id == campaign.id, CampaignMember.holdout.is_(False),
        CampaignMember.grant_id.is_(None)).order_by(CampaignMember.user_id))
    given = 0
    for member in pending:
        try:
            with db.session.begin_nested():
                grant = coupons.issue_grant(coupon, member.user_id, source="campaign", now=now)
        except errors.CouponExhausted:
            break       # every copy is given out: the rest of the segment gets none
        except (errors.CouponLimitReached, errors.CouponNotAvailable):
            continue    # already holds it, or it is not for them (e.g. new-user only)
        member.grant_id = grant.id
        given += 1
    db.session.flush()
    return given


def pause_campaign(campaign, now):
    """Staff pause a running campaign."""
    return _move(campaign, CampaignStatus.PAUSED.value, reason="staff")


def resume_campaign(campaign, now, *, budget_cents=None):
    """Resume a paused campaign, with a new budget if given (None keeps the old one). Refused while
    the budget is spent (``BudgetSpent``): the new budget must be above what was spent."""
    if now >= campaign.ends_at:
        raise errors.CampaignOver()
    budget = campaign.budget_cents if budget_cents is None else budget_cents
    if budget is not None and budget <= campaign.spent_cents:
        raise errors.BudgetSpent()
    return _move(campaign, CampaignStatus.RUNNING.value, extra={"budget_cents": budget},
                 condition=Campaign.spent_cents < budget if budget is not None else None)


def end_campaign(campaign, now):
    """End the campaign for good: its copies stay with the residents until they expire."""
    return _move(campaign, CampaignStatus.ENDED.value)


def campaign_results(campaign):
    """Conversion of the treated against the holdout (``campaign_rules.uplift``)."""
    counts = dict.fromkeys([(False, False), (False, True), (True, False), (True, True)], 0)
    for holdout, converted, count in db.session.execute(db.select(
            CampaignMember.holdout, CampaignMember.converted_at.is_not(None), db.func.count()).where(
            CampaignMember.campaign_id == campaign.id).group_by(
            CampaignMember.holdout, CampaignMember.converted_at.is_not(None))):
        counts[(bool(holdout), bool(converted))] = count
    return campaign_rules.uplift(counts[(False, False)] + counts[(False, True)], counts[(False, True)],
                                 counts[(True, False)] + counts[(True, True)], counts[(True, True)])


def mark_converted(purchase, now, **_details):
    """A completed purchase converts the buyer in each campaign of the store they were assigned to
    before it was placed, when it was placed inside the campaign's window (once: the first one)."""
    live = db.select(Campaign.id).where(Campaign.store_id == purchase.store_id,
                                        Campaign.starts_at <= purchase.placed_at,
                                        Campaign.ends_at >= purchase.placed_at)
    db.session.execute(db.update(CampaignMember).where(
        CampaignMember.user_id == purchase.user_id, CampaignMember.converted_at.is_(None),
        CampaignMember.assigned_at <= purchase.placed_at, CampaignMember.campaign_id.in_(live)).values(
        converted_at=now).execution_options(synchronize_session=False))


purchases.on("completed", mark_converted)
