"""The daily rollup of a small hand-made history of every line (days ending at UTC+8 midnight) gives
the board the numbers counted by hand from the raw rows; the rebuild command is idempotent; the
periodic job refreshes the recent days."""
from datetime import date, timedelta

import pytest

from services.booking_models import Claim, VendorLedgerEntry
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth.models import Campaign, CampaignMember, Coupon, CouponGrant
from store_app.growth.points_models import Referral
from store_app.reports import board, jobs, rollup
from store_app.reports.kpi_rules import Period
from store_app.reports.rollup_models import DailyRollup
from store_app.stores.models import Store
from tests import kpi_support as k
from tests import services_support as s

MONDAY = k.MONDAY
WEEK = Period(MONDAY, MONDAY + timedelta(days=6))
NOW = k.local(date(2026, 6, 1), 12)  # long after the history: every period is complete


@pytest.fixture
def history(app, create_store, create_user):
    """Three residents' week across every line (see the module's tests for what each row is)."""
    store_id = create_store()
    a, b, c = (create_user(store_id, name=name)[0] for name in ("A", "B", "C"))
    day = lambda n: MONDAY + timedelta(days=n)  # noqa: E731
    with app.app_context(), transaction():
        # Orders: 23:30 on Monday and 00:30 on Tuesday are one UTC day but two store days.
        first = k.add_order(store_id, a, k.local(day(0), 23, 30), total=5000, delivered_after_min=20)
        k.add_order(store_id, b, k.local(day(1), 0, 30), total=3000, refunded=1000, delivered_after_min=50)
        k.add_order(store_id, a, k.local(day(1), 10), total=2000, status="cancelled", fulfilment="pickup")
        k.add_order(store_id, c, k.local(day(1), 12), total=300, subtotal=0, parcel_fee=300, delivered_after_min=25)
        # Breakfast on Thursday: one collected, one no-show cooked on credit, one cancelled.
        thursday = k.add_breakfast_day(store_id, day(3))
        k.add_breakfast_order(store_id, thursday, a, status="collected")
        k.add_breakfast_order(store_id, thursday, b, status="no_show", note="on_credit")
        k.add_breakfast_order(store_id, thursday, c, status="cancelled")
        # Parcels: collected after 5 h and 30 h, one returned after 200 h (past the 3 free days).
        k.add_parcel(store_id, k.local(day(0), 10), collected_after_h=5)
        k.add_parcel(store_id, k.local(day(0), 11), returned_after_h=200)
        k.add_parcel(store_id, k.local(day(1), 9), collected_after_h=30)
        # A service job on Wednesday, accepted in 30 minutes, completed, redone after a complaint.
        category = s.add_category(store_id)
        vendor = s.add_vendor(store_id, [category])
        offering = s.add_offering(vendor, category, price_cents=20000)
        job = s.add_booking(a, offering, k.local(day(3), 10), status="completed", now=k.local(day(2), 10),
                            accepted_at=k.local(day(2), 10, 30))
        db.session.add(Claim(booking_id=job.id, resident_id=a, vendor_id=vendor.id, kind="redo", text="没扫干净",
                             status="redo", decide_by_at=k.local(day(5), 10), created_at=k.local(day(4), 10)))
        db.session.add(VendorLedgerEntry(vendor_id=vendor.id, booking_id=job.id, kind="commission",
                                         amount_cents=-3000, created_at=k.local(day(2), 15)))
        # Purchases as the lines report them (C's is not completed yet).
        k.add_purchase(store_id, a, "delivery", k.local(day(0), 23, 30))
        k.add_purchase(store_id, b, "delivery", k.local(day(1), 0, 30))
        k.add_purchase(store_id, a, "pickup", k.local(day(1), 10), status="cancelled")
        k.add_purchase(store_id, c, "parcel_door", k.local(day(1), 12), status="placed")
        k.add_purchase(store_id, a, "breakfast", k.local(day(3), 7))
        # Activity: A back exactly 7 days after their first purchase; B on days 1 and 2; C once.
        for user, n in ((a, 0), (a, 7), (b, 1), (b, 2), (c, 1)):
            k.add_activity(store_id, user, day(n))
        # A coupon used on A's first order; a campaign with a holdout.
        coupon = Coupon(store_id=store_id, kind="new_user", title_zh="新人券", title_en="Welcome", amount_off_cents=500,
                        starts_at=k.local(day(0)), ends_at=k.local(day(30)))
        db.session.add(coupon)
        db.session.flush()
        db.session.add(CouponGrant(coupon_id=coupon.id, user_id=a, store_id=store_id, seq=1, source="claim",
                                   status="used", purchase_ref=f"order:{first.id}", discount_cents=500,
                                   granted_at=k.local(day(0)), expires_at=k.local(day(30)),
                                   used_at=k.local(day(0), 23, 30)))
        campaign = Campaign(store_id=store_id, name="Spring", segment="new", holdout_percent=10,
                            starts_at=k.local(day(0)), ends_at=k.local(day(30)))
        db.session.add(campaign)
        db.session.flush()
        for user, holdout, converted in ((a, False, True), (b, False, False), (c, True, True)):
            db.session.add(CampaignMember(campaign_id=campaign.id, user_id=user, holdout=holdout,
                                          assigned_at=k.local(day(0), 9),
                                          converted_at=k.local(day(1), 9) if converted else None))
        # Referrals: B's rewarded on Wednesday; C's rewarded on Tuesday and taken back on Thursday.
        db.session.add(Referral(store_id=store_id, inviter_id=a, invitee_id=b, status="rewarded",
                                created_at=k.local(day(0), 8), rewarded_at=k.local(day(2), 10)))
        db.session.add(Referral(store_id=store_id, inviter_id=a, invitee_id=c, status="taken_back",
                                created_at=k.local(day(0), 8), rewarded_at=k.local(day(1), 10),
                                taken_back_at=k.local(day(3), 10)))
    return {"store_id": store_id, "users": (a, b, c)}


def _board(store_id, period, now=NOW):
    store = db.session.get(Store, store_id)
    return board.load_board(store, period, now)


def _rebuild(store_id, period=WEEK, now=NOW):
    with transaction():
        return rollup.refresh(db.session.get(Store, store_id), period, now)


def test_the_week_on_the_board_is_the_week_counted_by_hand(app_ctx, history):
    _rebuild(history["store_id"], Period(MONDAY, MONDAY + timedelta(days=40)))
    found = _board(history["store_id"], WEEK).figures
    # Sales: gross = every total placed; net = less refunds, without cancelled or uncooked ones.
    assert found["gmv_gross_cents"] == 5000 + 3000 + 2000 + 300 + 3 * 800 + 20000
    assert found["gmv_net_cents"] == 5000 + 2000 + 300 + 2 * 800 + 20000
    assert found["orders"] == 2 + 1 + 2 + 1
    assert (found["orders_delivery"], found["orders_pickup"], found["orders_parcel_door"]) == (2, 0, 1)
    assert found["aov_delivery"] == 3500
    # Delivery: 20 and 25 minutes on time, 50 late; the median is in the 25-30 bucket.
    assert found["on_time_share"] == pytest.approx(2 / 3)
    assert found["c2d_avg_min"] == pytest.approx((20 + 50 + 25) / 3)
    assert 25 <= found["c2d_p50_min"] <= 30
    assert 50 <= found["c2d_p90_min"] <= 60
    # Residents: four activity rows over seven days; three first buyers; A's breakfast is a return.
    assert found["dau"] == pytest.approx(4 / 7)
    assert found["new_buyers"] == 3
    assert found["returning_share"] == pytest.approx(1 / 4)
    assert found["retention_7"] == pytest.approx(1 / 3)  # A came back on day 7; B and C did not
    assert found["retention_30"] == 0
    assert found["wau"] == 3 and found["mau"] == 3  # as of Sunday: the week is its last 7 days
    # Parcels, breakfast, services, growth.
    assert (found["checked_in"], found["return_rate"], found["overdue_rate"]) == (3, 1 / 3, 1 / 3)
    assert found["dwell_avg_h"] == pytest.approx(17.5)
    assert (found["breakfast_volume"], found["no_shows"], found["grace_credits"]) == (2, 1, 1)
    assert (found["bookings"], found["accept_avg_min"], found["complaint_rate"], found["redo_rate"],
            found["commission_cents"]) == (1, 30, 1, 1, 3000)
    assert (found["coupon_cost_cents"], found["coupon_orders"], found["new_active"]) == (500, 1, 2)
    assert found["referral_spend_cents"] == 600  # two rewards paid, one taken back
    assert found["cost_per_new_active_cents"] == (500 + 600) / 2
    assert found["uplift"] == pytest.approx(0.5 - 1.0)


def test_23_30_and_00_30_orders_land_on_their_own_store_days(app_ctx, history):
    _rebuild(history["store_id"])
    monday = _board(history["store_id"], Period(MONDAY, MONDAY)).figures
    tuesday = _board(history["store_id"], Period(MONDAY + timedelta(days=1), MONDAY + timedelta(days=1))).figures
    assert (monday["orders_delivery"], monday["gmv_net_cents"]) == (1, 5000)
    assert tuesday["orders_delivery"] == 1 and tuesday["orders_parcel_door"] == 1


def test_the_rollup_equals_sums_straight_from_the_raw_orders(app_ctx, history):
    """An independent count in SQL over the raw orders for each local day, against the rollup."""
    from store_app.orders.models import Order

    _rebuild(history["store_id"])
    rows = db.session.execute(db.select(Order.placed_at, Order.total_cents)).all()
    expected = {}
    for placed_at, total in rows:
        day = (placed_at + timedelta(hours=8)).date()  # Shanghai is UTC+8 all year
        expected[day] = expected.get(day, 0) + total
    found = dict(db.session.execute(db.select(DailyRollup.day, db.func.sum(DailyRollup.value)).where(
        DailyRollup.metric == "gmv_gross_cents", DailyRollup.line.in_(("delivery", "pickup", "parcel_door")))
        .group_by(DailyRollup.day)).all())
    assert found == expected


def _rows():
    return sorted((r.store_id, r.day, r.line, r.metric, r.value) for r in db.session.scalars(db.select(DailyRollup)))


def test_the_rebuild_command_is_idempotent(app, runner, history):
    result = runner.invoke(args=["reports", "rebuild", "--from", "2026-03-01", "--to", "2026-04-15"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        first = _rows()
    again = runner.invoke(args=["reports", "rebuild", "--from", "2026-03-01", "--to", "2026-04-15"])
    assert again.exit_code == 0 and "rows" in again.output
    with app.app_context():
        assert _rows() == first
        store_id = history["store_id"]
        assert (store_id, MONDAY, "delivery", "orders", 1) in first
        assert (store_id, MONDAY + timedelta(days=1), "delivery", "orders", 1) in first
    refused = runner.invoke(args=["reports", "rebuild", "--from", "2026-04-15", "--to", "2026-03-01"])
    assert refused.exit_code != 0 and "before" in refused.output


def test_a_rebuild_replaces_what_changed_and_forgets_what_is_gone(app_ctx, history):
    _rebuild(history["store_id"])
    with transaction():
        db.session.execute(db.delete(CouponGrant))
    _rebuild(history["store_id"])
    assert _board(history["store_id"], WEEK).figures["coupon_cost_cents"] == 0


def test_the_periodic_job_refreshes_today_and_yesterday(app_ctx, history):
    now = k.local(MONDAY + timedelta(days=1), 18)
    summary = jobs.rollup_recent(history["store_id"], now)
    assert "rollup rows" in summary
    days = {row.day for row in db.session.scalars(db.select(DailyRollup))}
    assert days == {MONDAY, MONDAY + timedelta(days=1)}
    names = {job.name for job in jobs.periodic_jobs()}
    assert f"reports:rollup:{history['store_id']}" in names


def test_the_board_reads_only_the_rollup(app_ctx, history):
    """Raw rows without a rollup show nothing: the board never counts the raw orders itself."""
    assert _board(history["store_id"], WEEK).figures["gmv_gross_cents"] == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) >= 3


def test_referral_rewards_count_as_spend_on_the_days_paid_less_those_taken_back(app_ctx, history):
    """Each reward is both sides' points at a fen a point: paid twice, taken back once, in the week."""
    _rebuild(history["store_id"])
    figures = _board(history["store_id"], WEEK).figures
    assert figures["referral_spend_cents"] == 2 * 300
    tuesday = _board(history["store_id"], Period(MONDAY + timedelta(days=1), MONDAY + timedelta(days=1))).figures
    assert tuesday["referral_spend_cents"] == 2 * 300
    assert figures["new_active"] and figures["cost_per_new_active_cents"] == pytest.approx(
        (figures["coupon_cost_cents"] + 600) / figures["new_active"])
