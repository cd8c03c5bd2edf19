"""Scenario pushes under real concurrency on PostgreSQL: several senders at once never give a
resident more pushes than the weekly cap, and one push sent by several senders at once reaches
each resident once (the delivery row is claimed first; the cap is counted under the resident's lock).

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import pushes
from store_app.growth.models import SegmentMember
from store_app.growth.push_models import PushDelivery, ScenarioPush
from store_app.growth.push_rules import MAX_PUSHES_PER_WEEK
from store_app.notifications.models import Notification
from store_app.stores.models import Store
from tests.concurrency.helpers import run_together
from tests.conftest import add_shopper, build_shop

pytestmark = pytest.mark.postgres
POOL_SIZE = 12
NOON = datetime(2026, 12, 7, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai: not quiet
RESIDENTS = 12


@pytest.fixture
def town(app):
    """A store, twelve residents in the "dormant" segment and eight triggered pushes to them."""
    with app.app_context():
        shop = build_shop(couriers=0)
        users = [add_shopper(shop, name=f"R{n}").user_id for n in range(RESIDENTS)]
        with transaction():
            db.session.add_all([SegmentMember(store_id=shop.store_id, segment="dormant", user_id=u,
                                              computed_at=NOON) for u in users])
            store = db.session.get(Store, shop.store_id)
            push_ids = [pushes.create_push(store, kind="win_back", segment="dormant", schedule="triggered",
                                           title_en=f"Push {n}", body_en="Come back", now=NOON).id
                        for n in range(8)]
    return users, push_ids


def trigger(app, push_id, barrier):
    with app.app_context():
        barrier.wait()
        with transaction():
            return pushes.trigger_push(db.session.get(ScenarioPush, push_id), NOON + timedelta(minutes=1))


def test_eight_pushes_at_once_keep_the_weekly_cap(app, town):
    users, push_ids = town
    results = run_together(len(push_ids), lambda i, barrier: trigger(app, push_ids[i], barrier))
    assert not [r for r in results if isinstance(r, Exception)], results
    with app.app_context():
        sent = Counter(db.session.scalars(db.select(PushDelivery.user_id).where(PushDelivery.status == "sent")))
        inbox = Counter(db.session.scalars(db.select(Notification.user_id).where(
            Notification.kind == "scenario_push")))
        rows = db.session.scalar(db.select(db.func.count(PushDelivery.id)))
    assert sent == {u: MAX_PUSHES_PER_WEEK for u in users}
    assert inbox == sent
    assert rows == len(users) * len(push_ids)


def test_one_push_sent_by_six_senders_at_once_reaches_each_resident_once(app, town):
    users, push_ids = town
    results = run_together(6, lambda i, barrier: trigger(app, push_ids[0], barrier))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.get("sent", 0) for r in results) == len(users)
    with app.app_context():
        inbox = Counter(db.session.scalars(db.select(Notification.user_id).where(
            Notification.kind == "scenario_push")))
    assert inbox == {u: 1 for u in users}
