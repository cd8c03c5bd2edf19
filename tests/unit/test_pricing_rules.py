"""The coupon pricing rule: hand-made cases, then properties over random baskets and offers."""
from hypothesis import given, settings, strategies as st

from store_app.growth.baskets import Basket, BasketLine
from store_app.growth.pricing_rules import (BELOW_MIN_ITEMS, BELOW_MIN_SPEND, DUPLICATE, NO_GOODS, NOT_COMBINABLE,
                                            NOT_TODAY, NOTHING_LEFT, WRONG_LINE, Offer, price)


def basket(*lines, fee=500, line="delivery"):
    return Basket(line=line, fee_cents=fee, lines=tuple(BasketLine(*item) for item in lines))


GOODS = basket((1, 1000, 2, 10, None), (2, 3000, 1, 20, 7))   # 5000 of goods, fee 500


def test_spend_save_takes_its_amount_when_the_minimum_is_met():
    priced = price(GOODS, [Offer(1, "spend_save", amount_off_cents=800, min_spend_cents=5000)], weekday=0)
    assert (priced.goods_discount_cents, priced.fee_discount_cents, priced.total_cents) == (800, 0, 4700)
    assert priced.applied == ((1, 800),)


def test_minimum_spend_and_items_are_counted_on_the_goods_the_coupon_covers():
    category = Offer(1, "spend_save", amount_off_cents=300, min_spend_cents=2500, category_id=10)
    assert price(GOODS, [category], weekday=0).refused == ((1, BELOW_MIN_SPEND),)
    items = Offer(2, "spend_save", amount_off_cents=300, min_items=2, merchant_id=7)
    assert price(GOODS, [items], weekday=0).refused == ((2, BELOW_MIN_ITEMS),)
    nothing = Offer(3, "percent", percent_off=10, category_id=99)
    assert price(GOODS, [nothing], weekday=0).refused == ((3, NO_GOODS),)


def test_a_category_coupon_only_touches_its_goods():
    priced = price(GOODS, [Offer(1, "percent", percent_off=50, category_id=10)], weekday=0)
    assert priced.goods_discount_cents == 1000


def test_percentages_compound_and_the_cap_holds():
    ten = Offer(1, "percent", percent_off=10, stacks=True)
    ten_more = Offer(2, "member_day", percent_off=10, member_weekday=2, stacks=True)
    priced = price(basket((1, 10000, 1), fee=0), [ten, ten_more], weekday=2)
    assert priced.goods_discount_cents == 1900
    capped = Offer(3, "percent", percent_off=50, cap_cents=700)
    assert price(GOODS, [capped], weekday=0).goods_discount_cents == 700


def test_member_day_only_on_its_weekday():
    offer = Offer(1, "member_day", amount_off_cents=500, member_weekday=4)
    assert price(GOODS, [offer], weekday=3).refused == ((1, NOT_TODAY),)
    assert price(GOODS, [offer], weekday=4).discount_cents == 500


def test_free_delivery_waives_the_fee_once():
    one = Offer(1, "free_delivery", stacks=True)
    two = Offer(2, "free_delivery", stacks=True)
    priced = price(GOODS, [one, two], weekday=0)
    assert (priced.fee_discount_cents, priced.fee_cents) == (500, 0)
    assert priced.applied == ((1, 500),) and priced.refused == ((2, NOTHING_LEFT),)


def test_lines_are_checked():
    offer = Offer(1, "spend_save", amount_off_cents=100, lines=frozenset({"pickup"}))
    assert price(GOODS, [offer], weekday=0).refused == ((1, WRONG_LINE),)


def test_without_stacking_the_best_single_offer_wins_ties_by_coupon_id():
    small = Offer(5, "spend_save", amount_off_cents=300)
    big = Offer(6, "percent", percent_off=20)            # 1000
    same = Offer(4, "spend_save", amount_off_cents=1000)
    priced = price(GOODS, [small, big, same], weekday=0)
    assert priced.applied == ((4, 1000),)
    assert dict(priced.refused) == {5: NOT_COMBINABLE, 6: NOT_COMBINABLE}


def test_stacking_offers_combine_and_a_duplicate_is_refused():
    save = Offer(1, "spend_save", amount_off_cents=1000, stacks=True)
    free = Offer(2, "free_delivery", stacks=True)
    priced = price(GOODS, [free, save, save], weekday=0)
    assert priced.discount_cents == 1500 and priced.total_cents == 4000
    assert priced.refused == ((1, DUPLICATE),)


def test_the_total_stops_at_zero():
    priced = price(basket((1, 300, 1), fee=0), [Offer(1, "new_user", amount_off_cents=1000)], weekday=0)
    assert priced.total_cents == 0 and priced.discount_cents == 300


# ---- properties ---------------------------------------------------------------------------------

KINDS = ["new_user", "spend_save", "percent", "free_delivery", "member_day"]

basket_lines = st.builds(BasketLine, product_id=st.integers(1, 50), unit_cents=st.integers(0, 5000),
                         quantity=st.integers(1, 5), category_id=st.sampled_from([None, 1, 2]),
                         merchant_id=st.sampled_from([None, 7, 8]))
baskets = st.builds(Basket, line=st.sampled_from(["delivery", "pickup"]), fee_cents=st.integers(0, 1500),
                    lines=st.lists(basket_lines, max_size=5).map(tuple))


@st.composite
def offers(draw, coupon_id=None, stacks=None):
    return Offer(
        coupon_id=coupon_id if coupon_id is not None else draw(st.integers(1, 40)),
        kind=draw(st.sampled_from(KINDS)), amount_off_cents=draw(st.integers(0, 3000)),
        percent_off=draw(st.integers(0, 100)), cap_cents=draw(st.one_of(st.none(), st.integers(0, 3000))),
        min_spend_cents=draw(st.integers(0, 4000)), min_items=draw(st.integers(0, 4)),
        category_id=draw(st.sampled_from([None, None, 1, 2])), merchant_id=draw(st.sampled_from([None, None, 7])),
        stacks=draw(st.booleans()) if stacks is None else stacks, member_weekday=draw(st.integers(0, 6)))


offer_lists = st.lists(offers(), max_size=5, unique_by=lambda offer: offer.coupon_id)
weekdays = st.integers(0, 6)


@settings(max_examples=300)
@given(baskets, offer_lists, weekdays)
def test_total_between_zero_and_undiscounted_and_fee_discounted_at_most_once(b, given_offers, weekday):
    priced = price(b, given_offers, weekday=weekday)
    assert 0 <= priced.total_cents <= b.goods_cents + b.fee_cents
    assert priced.discount_cents == b.goods_cents + b.fee_cents - priced.total_cents
    assert 0 <= priced.fee_discount_cents <= b.fee_cents
    assert 0 <= priced.goods_cents and 0 <= priced.fee_cents
    assert sum(cents for _, cents in priced.applied) == priced.discount_cents
    # Every offer is either applied or refused, once.
    named = [cid for cid, _ in priced.applied] + [cid for cid, _ in priced.refused]
    assert sorted(set(named)) == sorted({o.coupon_id for o in given_offers})


@given(baskets, offer_lists, weekdays, st.randoms())
def test_the_order_offers_come_in_changes_nothing(b, given_offers, weekday, rnd):
    shuffled = list(given_offers)
    rnd.shuffle(shuffled)
    assert price(b, given_offers, weekday=weekday) == price(b, shuffled, weekday=weekday)


@given(baskets, offers(coupon_id=1, stacks=True), offers(coupon_id=2, stacks=True), weekdays)
def test_stacking_is_symmetric(b, first, second, weekday):
    assert price(b, [first, second], weekday=weekday) == price(b, [second, first], weekday=weekday)


@given(baskets, offer_lists, offers(coupon_id=99, stacks=False), weekdays)
def test_adding_a_non_stacking_coupon_never_drops_below_the_best_single(b, given_offers, extra, weekday):
    with_extra = price(b, [*given_offers, extra], weekday=weekday)
    singles = [price(b, [o], weekday=weekday).discount_cents for o in [*given_offers, extra]]
    assert with_extra.discount_cents >= max(singles, default=0)
    assert with_extra.discount_cents >= price(b, given_offers, weekday=weekday).discount_cents


@given(st.integers(1, 99), st.integers(1, 99), st.integers(100, 10**6))
def test_percentages_compound(p, q, unit):
    b = Basket(line="delivery", fee_cents=0, lines=(BasketLine(1, unit, 1),))
    both = price(b, [Offer(1, "percent", percent_off=p, stacks=True),
                     Offer(2, "member_day", percent_off=q, member_weekday=0, stacks=True)], weekday=0)
    after_first = unit - unit * p // 100
    assert both.goods_cents == after_first - after_first * q // 100
    # Never the simple sum: compounding takes less than p + q percent (unless that is all of it).
    assert both.goods_discount_cents <= unit * (p + q) // 100 + 1


@given(baskets, st.lists(offers(stacks=True), max_size=4), weekdays)
def test_free_delivery_never_takes_more_than_the_fee(b, given_offers, weekday):
    frees = [Offer(100 + i, "free_delivery", stacks=True) for i in range(3)]
    priced = price(b, [*given_offers, *frees], weekday=weekday)
    assert priced.fee_discount_cents <= b.fee_cents
    assert sum(1 for cid, cents in priced.applied if cid >= 100) <= 1
