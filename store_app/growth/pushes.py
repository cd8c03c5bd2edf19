"""Scenario pushes: create one, stop it, trigger it, and send what is due (the ``growth:pushes`` job).

Sending one occasion of a push (``send_occasion``) goes through the segment's residents in id order
and, for each, *claims* a ``PushDelivery`` row first (INSERT ... ON CONFLICT DO NOTHING: a second
run, a second sender or another push of the same campaign finds it taken and does nothing). Then:

- held out: the row says ``holdout``, nothing is sent. A push of a campaign holds out exactly the
  campaign's holdout (``campaign_rules.is_holdout``, the rule its launch used); a push of its own
  splits by its own stable hash (``push_rules.is_held_out``);
- the resident turned this kind off: ``skipped_preference``;
- the resident's ``PushRecipient`` row is locked (a conditional UPDATE after an upsert) and their
  pushes of the last 7 days counted: at the cap, ``skipped_cap``;
- in quiet hours (22:00-08:00 store time): ``deferred`` until 08:00, sent then by ``send_deferred``;
- otherwise ``sent``: the message goes to the inbox (``notifications.operations.notify``, kind
  ``scenario_push``, its title and text in both languages).

A push of a campaign does not give coupons itself: the campaign's launch gave its members their
copies (``coupons.issue_grant(source="campaign")``); the message says a coupon is waiting to those
who hold one, and the delivery row keeps that copy's id.

Residents are taken in id order by every sender, so two senders lock recipients in the same order
and never deadlock. Operations flush; the caller's ``transaction()`` commits.
"""
from ..database import upsert
from ..extensions import db
from ..notifications.operations import notify
from ..notifications.preferences import users_who_turned_off, wants
from ..notifications.quiet_rules import quiet_ends_at
from ..stores.models import Store
from . import campaign_rules, segments
from . import push_errors as errors
from .models import Campaign, CampaignMember
from .push_models import PushDelivery, PushRecipient, ScenarioPush
from .push_rules import (CAP_WINDOW, MAX_HOLDOUT_PERCENT, ONCE_OCCASION, PREFERENCE_OF, DeliveryStatus,
                         PushKind, PushStatus, Schedule, check_schedule, is_held_out, morning_occasion,
                         over_weekly_cap, trigger_occasion)

# Where the message's "Open" link leads, per kind.
LINKS = {PushKind.SCHOOL_MORNING_BREAKFAST: "/breakfast", PushKind.RAINY_EVENING_OFFER: "/shop",
         PushKind.WIN_BACK: "/shop", PushKind.CUSTOM: "/shop"}
COUPONS_LINK = "/coupons"
SCHEDULE_ERRORS = {("schedule", "not_for_kind"): errors.ScheduleNotForKind,
                   ("send_at", "missing"): errors.SendTimeMissing, ("send_at", "past"): errors.SendTimePast,
                   ("morning_time", "missing"): errors.MorningTimeMissing,
                   ("morning_time", "quiet"): errors.MorningTimeQuiet}
COUNTED = (DeliveryStatus.SENT.value, DeliveryStatus.DEFERRED.value)


# ---- the push itself ---------------------------------------------------------------------------------

def create_push(store, *, kind, segment, schedule, title_zh="", title_en="", body_zh="", body_en="",
                send_at=None, morning_min=None, holdout_percent=0, campaign_id=None, created_by_id=None, now):
    """Save a new push for ``store`` after checking it: a known kind and segment, a title and a text
    in at least one language, a schedule its kind allows (a one-off in the future, a school-morning
    time out of quiet hours), a holdout of 0-50 %, a campaign of this store. Raises ``PushError``."""
    if kind not in set(PushKind):
        raise errors.ScheduleNotForKind()
    if not segments.is_segment(segment):
        raise errors.SegmentUnknown()
    texts = [t.strip() for t in (title_zh, title_en, body_zh, body_en)]
    if not ((texts[0] and texts[2]) or (texts[1] and texts[3])):
        raise errors.TextMissing()
    problem = check_schedule(kind, schedule, send_at=send_at, morning_min=morning_min, now=now,
                             tz_name=store.timezone)
    if problem:
        raise SCHEDULE_ERRORS[problem]()
    if not 0 <= holdout_percent <= MAX_HOLDOUT_PERCENT:
        raise errors.HoldoutInvalid()
    campaign = None
    if campaign_id is not None:
        campaign = db.session.scalar(db.select(Campaign).where(Campaign.id == campaign_id,
                                                               Campaign.store_id == store.id))
        if campaign is None:
            raise errors.CampaignNotFound()
        holdout_percent = campaign.holdout_percent   # the campaign's holdout, not one of its own
    push = ScenarioPush(store_id=store.id, kind=kind, segment=segment, schedule=schedule, title_zh=texts[0],
                        title_en=texts[1], body_zh=texts[2], body_en=texts[3],
                        send_at=send_at if schedule == Schedule.ONCE else None,
                        morning_min=morning_min if schedule == Schedule.SCHOOL_MORNINGS else None,
                        holdout_percent=holdout_percent, campaign_id=campaign_id, created_by_id=created_by_id,
                        created_at=now, status=PushStatus.ACTIVE.value)
    db.session.add(push)
    db.session.flush()
    return push


def list_pushes(store_id):
    """The store's pushes, newest first."""
    return db.session.scalars(db.select(ScenarioPush).where(ScenarioPush.store_id == store_id)
                              .order_by(ScenarioPush.created_at.desc(), ScenarioPush.id.desc())).all()


def list_store_campaigns(store_id):
    """The store's campaigns a push may belong to, newest first."""
    return db.session.scalars(db.select(Campaign).where(Campaign.store_id == store_id)
                              .order_by(Campaign.id.desc())).all()


def get_store_push(store_id, push_id):
    """The push ``push_id`` of this store; ``PushNotFound`` for a missing one or another store's."""
    push = db.session.scalar(db.select(ScenarioPush).where(ScenarioPush.id == push_id,
                                                           ScenarioPush.store_id == store_id))
    if push is None:
        raise errors.PushNotFound()
    return push


def stop_push(push, now):
    """Stop a push: nothing more goes out, deferred messages included (a guarded UPDATE); True if it
    was active or done (a done one-off may still have messages waiting for 08:00)."""
    return db.session.execute(db.update(ScenarioPush).where(
        ScenarioPush.id == push.id, ScenarioPush.status != PushStatus.STOPPED.value)
        .values(status=PushStatus.STOPPED.value, stopped_at=now)).rowcount == 1


def trigger_push(push, now):
    """Staff's "send now" for a triggered push (a rainy evening): today's occasion goes out now (or at
    08:00 if now is quiet); pressed twice the same day, it reaches nobody twice. Returns the counts."""
    if push.schedule != Schedule.TRIGGERED:
        raise errors.NotTriggered()
    if push.status != PushStatus.ACTIVE:
        raise errors.PushStopped()
    return send_occasion(push, trigger_occasion(now, _tz(push)), now)


# ---- sending -----------------------------------------------------------------------------------------

def _tz(push):
    return db.session.get(Store, push.store_id).timezone


def due_occasion(push, now, tz_name):
    """The occasion ``push`` is due for at ``now`` and has not gone out for yet, or None."""
    if push.status != PushStatus.ACTIVE:
        return None
    if push.schedule == Schedule.ONCE:
        occasion = ONCE_OCCASION if push.send_at is not None and push.send_at <= now else None
    elif push.schedule == Schedule.SCHOOL_MORNINGS:
        occasion = morning_occasion(now, tz_name, push.morning_min or 0)
    else:
        occasion = None  # triggered pushes go out when staff press "send now"
    return occasion if occasion and occasion != push.last_occasion else None


def send_occasion(push, occasion, now):
    """Claim and decide one delivery per resident of the push's segment for ``occasion`` (see the
    module's docstring); returns ``{status: count}`` of the rows this call claimed."""
    tz_name = _tz(push)
    users = segments.list_segment_user_ids(push.store_id, push.segment)
    preference = PREFERENCE_OF[PushKind(push.kind)]
    turned_off = users_who_turned_off(users, preference)
    held_out = _holdout_rule(push)
    counts = {}
    for user_id in users:
        if held_out(user_id):
            status = DeliveryStatus.HOLDOUT
        elif user_id in turned_off:
            status = DeliveryStatus.SKIPPED_PREFERENCE
        else:
            status = None  # decided after the claim, under the resident's lock
        decided = _claim(push, occasion, user_id, status, now, tz_name)
        if decided is not None:
            counts[decided] = counts.get(decided, 0) + 1
    push.last_occasion, push.last_sent_at = occasion, now
    if push.schedule == Schedule.ONCE:
        push.status = PushStatus.DONE.value
    db.session.flush()
    return counts


def _holdout_rule(push):
    """``fn(user_id) -> bool``: the campaign's holdout for a push of a campaign, else the push's own."""
    if push.campaign_id is None:
        return lambda user_id: is_held_out(f"push:{push.id}", user_id, push.holdout_percent)
    campaign = db.session.get(Campaign, push.campaign_id)
    return lambda user_id: campaign_rules.is_holdout(campaign.id, user_id, campaign.holdout_percent)


def _campaign_grant(push, user_id):
    """The copy of the coupon the push's campaign gave the resident (its id), or None."""
    if push.campaign_id is None:
        return None
    return db.session.scalar(db.select(CampaignMember.grant_id).where(
        CampaignMember.campaign_id == push.campaign_id, CampaignMember.user_id == user_id))


def _claim(push, occasion, user_id, status, now, tz_name):
    """Insert the resident's delivery row (or find it taken: None), then decide and act on it."""
    table = PushDelivery.__table__
    delivery_id = db.session.execute(
        upsert(table).values(push_id=push.id, store_id=push.store_id, user_id=user_id, occasion=occasion,
                             campaign_id=push.campaign_id, status=(status or DeliveryStatus.SKIPPED_CAP).value,
                             claimed_at=now)
        .on_conflict_do_nothing().returning(table.c.id)).scalar()
    if delivery_id is None:
        return None
    if status is not None:
        return status
    _lock_recipient(user_id, now)
    counted = db.session.scalar(db.select(db.func.count(PushDelivery.id)).where(
        PushDelivery.user_id == user_id, PushDelivery.id != delivery_id, PushDelivery.status.in_(COUNTED),
        PushDelivery.claimed_at > now - CAP_WINDOW))
    if over_weekly_cap(counted):
        return DeliveryStatus.SKIPPED_CAP  # the row says so already
    grant_id = _campaign_grant(push, user_id)
    wait_until = quiet_ends_at(now, tz_name)
    if wait_until is not None:
        _set(delivery_id, status=DeliveryStatus.DEFERRED.value, deferred_until=wait_until, grant_id=grant_id)
        return DeliveryStatus.DEFERRED
    _set(delivery_id, status=DeliveryStatus.SENT.value, sent_at=now, grant_id=grant_id)
    _deliver(push, occasion, user_id, now, has_coupon=grant_id is not None)
    return DeliveryStatus.SENT


def _lock_recipient(user_id, now):
    """Take the resident's cap lock: an upsert that always writes, so the row is locked until commit."""
    table = PushRecipient.__table__
    db.session.execute(upsert(table).values(user_id=user_id, claims=1, last_claim_at=now).on_conflict_do_update(
        index_elements=[table.c.user_id], set_={"claims": table.c.claims + 1, "last_claim_at": now}))


def _set(delivery_id, **values):
    db.session.execute(db.update(PushDelivery).where(PushDelivery.id == delivery_id).values(**values)
                       .execution_options(synchronize_session=False))


def _deliver(push, occasion, user_id, now, *, has_coupon):
    """The message in the resident's inbox (once per push and occasion: the notification's own key);
    with a coupon from the campaign, it says so and opens the resident's coupons."""
    params = {"title_zh": push.title_zh, "title_en": push.title_en, "body_zh": push.body_zh,
              "body_en": push.body_en, "push_id": push.id, "coupon": has_coupon}
    link = COUPONS_LINK if has_coupon else LINKS.get(PushKind(push.kind), "")
    notify(user_id, push.store_id, "scenario_push", f"push:{push.id}:{occasion}", params=params, link=link, now=now)


def send_deferred(store_id, now):
    """Send the store's deferred deliveries whose quiet hours have ended: each is moved ``deferred ->
    sent`` by a guarded UPDATE before its message is written, so it goes out once. A resident who
    turned the kind off meanwhile is skipped; a stopped push sends nothing. Returns how many went out."""
    rows = db.session.execute(
        db.select(PushDelivery.id, PushDelivery.user_id, PushDelivery.occasion, PushDelivery.grant_id, ScenarioPush)
        .join(ScenarioPush, ScenarioPush.id == PushDelivery.push_id)
        .where(PushDelivery.store_id == store_id, PushDelivery.status == DeliveryStatus.DEFERRED.value,
               PushDelivery.deferred_until <= now, ScenarioPush.status != PushStatus.STOPPED.value)
        .order_by(PushDelivery.user_id, PushDelivery.id)).all()
    sent = 0
    for delivery_id, user_id, occasion, grant_id, push in rows:
        still_wanted = wants(user_id, PREFERENCE_OF[PushKind(push.kind)])
        new_status = DeliveryStatus.SENT if still_wanted else DeliveryStatus.SKIPPED_PREFERENCE
        moved = db.session.execute(db.update(PushDelivery).where(
            PushDelivery.id == delivery_id, PushDelivery.status == DeliveryStatus.DEFERRED.value)
            .values(status=new_status.value, sent_at=now if still_wanted else None)
            .execution_options(synchronize_session=False)).rowcount
        if moved and still_wanted:
            _deliver(push, occasion, user_id, now, has_coupon=grant_id is not None)
            sent += 1
    return sent


def run_due(store_id, now):
    """One pass of the ``growth:pushes`` job for a store: every active push due now goes out for its
    occasion, then the deferred messages whose quiet hours ended. Returns ``(occasions, deferred sent)``."""
    tz_name = db.session.get(Store, store_id).timezone
    pushes = db.session.scalars(db.select(ScenarioPush).where(
        ScenarioPush.store_id == store_id, ScenarioPush.status == PushStatus.ACTIVE.value,
        ScenarioPush.schedule != Schedule.TRIGGERED.value).order_by(ScenarioPush.id)).all()
    occasions = 0
    for push in pushes:
        occasion = due_occasion(push, now, tz_name)
        if occasion is not None:
            send_occasion(push, occasion, now)
            occasions += 1
    return occasions, send_deferred(store_id, now)

