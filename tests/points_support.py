"""Points and referrals for tests: residents at a chosen unit, purchases reported as the lines report
them, a coupon on sale for points. Each helper needs an app context and commits."""
from datetime import datetime, timedelta, timezone

from werkzeug.security import generate_password_hash

from store_app.accounts.models import Address, User
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import purchases
from store_app.growth.models import Coupon
from store_app.roles import Role
from tests.conftest import PASSWORD, new_phone

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=timezone.utc)   # 12:00 in Shanghai
_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


def add_resident(store_id, building_id=None, unit="1-101", name="Resident", phone=None):
    """A resident living at ``building_id``/``unit`` (no address without a building): (id, phone)."""
    with transaction():
        user = User(store_id=store_id, phone=phone or new_phone(), name=name, role=Role.RESIDENT.value,
                    password_hash=_HASH)
        if building_id is not None:
            user.addresses.append(Address(store_id=store_id, building_id=building_id, unit=unit, is_default=True))
        db.session.add(user)
        db.session.flush()
        return user.id, user.phone


def place(user_id, store_id, ref, goods_cents, fee_cents=0, now=NOW, line="delivery"):
    """A purchase the resident paid for, not yet fulfilled."""
    with transaction():
        return purchases.record_purchase(user_id=user_id, store_id=store_id, line=line, ref=ref,
                                         goods_cents=goods_cents, fee_cents=fee_cents, now=now).id


def buy(user_id, store_id, ref, goods_cents, fee_cents=0, now=NOW, line="delivery"):
    """A purchase paid for and fulfilled at ``now`` (its refund window starts): its id."""
    purchase_id = place(user_id, store_id, ref, goods_cents, fee_cents, now, line)
    with transaction():
        purchases.complete_purchase(ref, now)
    return purchase_id


def refund(ref, amount_cents, now=NOW):
    """Part or all of a purchase refunded: the amount counted."""
    with transaction():
        return purchases.refund_purchase(ref, amount_cents, now)


def add_points_coupon(store_id, points_price, now=NOW, per_user_limit=1, total_limit=None, title="Five off"):
    """A ¥5-off coupon on sale for ``points_price`` points: its id."""
    with transaction():
        coupon = Coupon(store_id=store_id, kind="spend_save", title_zh="满减券", title_en=title,
                        amount_off_cents=500, min_spend_cents=2_000, starts_at=now - timedelta(days=1),
                        ends_at=now + timedelta(days=60), per_user_limit=per_user_limit, total_limit=total_limit,
                        points_price=points_price)
        db.session.add(coupon)
        db.session.flush()
        return coupon.id
