"""Coupons for tests: ``add_coupon(store_id, ...)`` makes one with sensible terms (needs an app
context; commits) and returns its id."""
from datetime import timedelta

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.growth.models import Campaign, Coupon


def add_coupon(store_id, *, kind="spend_save", amount_off_cents=500, now=None, days=30, code=None,
               campaign_budget_cents=None, **terms):
    """A coupon of ``store_id`` open from an hour ago for ``days``; ``code`` sets a typed code;
    ``campaign_budget_cents`` puts it in a running campaign with that budget. Returns the coupon id."""
    from store_app.growth.coupons import hash_code

    now = now or utcnow()
    values = dict(store_id=store_id, kind=kind, title_zh="测试券", title_en="Test coupon",
                  amount_off_cents=amount_off_cents, starts_at=now - timedelta(hours=1),
                  ends_at=now + timedelta(days=days), claimable=True) | terms
    with transaction():
        coupon = Coupon(**values)
        if code is not None:
            coupon.code_hash = hash_code(code)
        db.session.add(coupon)
        db.session.flush()
        if campaign_budget_cents is not None:
            campaign = Campaign(store_id=store_id, name="Test campaign", status="running", segment="active",
                                coupon_id=coupon.id, budget_cents=campaign_budget_cents,
                                starts_at=values["starts_at"], ends_at=values["ends_at"])
            db.session.add(campaign)
            db.session.flush()
            coupon.campaign_id = campaign.id
        return coupon.id
