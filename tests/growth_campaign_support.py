"""Shared by the campaign tests: residents with a purchase history, a coupon, a campaign. Each
helper needs an app context and commits."""
from datetime import timedelta

from werkzeug.security import generate_password_hash

from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import campaigns, purchases
from store_app.growth.baskets import Basket, BasketLine
from store_app.growth.models import Coupon
from store_app.roles import Role
from tests.conftest import PASSWORD, new_phone

HASHED = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


def add_residents(store_id, count, *, now, registered_days_ago=200):
    """``count`` residents of the store, registered long ago: their ids."""
    with transaction():
        users = [User(store_id=store_id, phone=new_phone(), name=f"Neighbour {n}", password_hash=HASHED,
                      role=Role.RESIDENT.value, created_at=now - timedelta(days=registered_days_ago))
                 for n in range(count)]
        db.session.add_all(users)
        db.session.flush()
        return [u.id for u in users]


def milk_basket(shop, quantity=2):
    """``quantity`` x milk (12.50) on a delivery, with its category, merchant and cost."""
    product = db.session.get(Product, shop.products["milk"])
    return Basket(line="delivery", fee_cents=500, lines=(BasketLine(
        product.id, product.price_cents, quantity, product.category_id, product.merchant_id, product.cost_cents),))


def buy(shop, user_id, ref, *, placed_at, basket=None, complete=True):
    """A purchase reported by the delivery line (completed at once unless told otherwise)."""
    basket = basket or milk_basket(shop)
    with transaction():
        purchases.record_purchase(user_id=user_id, store_id=shop.store_id, line="delivery", ref=ref,
                                  goods_cents=basket.goods_cents, fee_cents=basket.fee_cents, basket=basket,
                                  now=placed_at)
        if complete:
            purchases.complete_purchase(ref, placed_at + timedelta(minutes=30))


def set_costs(shop, **costs):
    """Give products (by key) a cost in cents."""
    with transaction():
        for key, cents in costs.items():
            db.session.get(Product, shop.products[key]).cost_cents = cents


def add_coupon(store_id, *, now, kind="spend_save", amount=200, percent=0, min_spend=1000, per_user=1, total=None,
               lines="delivery,pickup", days=30, **extra):
    """A coupon of the store, open from a day ago for ``days`` days: its id."""
    with transaction():
        coupon = Coupon(store_id=store_id, kind=kind, title_zh="满十减二", title_en="Save 2 on 10",
                        amount_off_cents=amount, percent_off=percent, min_spend_cents=min_spend, lines=lines,
                        per_user_limit=per_user, total_limit=total, starts_at=now - timedelta(days=1),
                        ends_at=now + timedelta(days=days), **extra)
        db.session.add(coupon)
        db.session.flush()
        return coupon.id


def add_campaign(store_id, coupon_id, *, now, segment="active", budget=None, holdout=20, name="Win them back"):
    """A draft campaign of the store: its id."""
    with transaction():
        return campaigns.create_campaign(store_id, name=name, segment=segment, coupon_id=coupon_id,
                                         budget_cents=budget, holdout_percent=holdout,
                                         starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=14),
                                         actor_id=None, now=now).id
