"""The pure rules of reviews: ratings 1-5, which orders may be reviewed, the card's average (only from
five visible reviews, one decimal, halves up) and text cleaned of every tag."""
import html

import nh3
from hypothesis import given, strategies as st

from store_app.orders import review_rules as rules


def test_a_rating_is_a_whole_number_from_one_to_five():
    assert [n for n in range(-1, 8) if rules.is_valid_rating(n)] == [1, 2, 3, 4, 5]
    assert not any(rules.is_valid_rating(v) for v in (True, False, 4.0, "4", None))


def test_only_delivered_or_collected_orders_are_reviewable():
    assert rules.is_reviewable("delivered") and rules.is_reviewable("collected")
    assert not any(rules.is_reviewable(s) for s in ("placed", "accepted", "picking", "ready", "assigned",
                                                     "picked_up", "cancelled", "failed"))


def test_the_average_shows_only_from_five_reviews():
    assert rules.card_average([5, 5, 5, 5]) is None
    assert rules.card_average([5, 4, 4, 4, 4]) == 4.2
    assert rules.summary_of(4, 20) == rules.RatingSummary(4, None)
    assert not rules.summary_of(4, 20).shown and rules.summary_of(5, 20).shown
    assert rules.summary_of(0, 0) == rules.RatingSummary(0, None)


def test_the_average_is_rounded_to_one_decimal_half_up():
    assert rules.card_average([5, 4, 4, 4, 4, 4, 4, 4]) == 4.1   # 4.125
    assert rules.card_average([5, 4, 4, 4]) is None
    assert rules.summary_of(8, 34).average == 4.3               # 4.25 rounds up
    assert rules.summary_of(6, 29).average == 4.8               # 4.8333...
    assert rules.summary_of(7, 7).average == 1.0


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=5, max_size=300))
def test_the_average_is_within_a_twentieth_of_the_mean(ratings):
    average = rules.card_average(ratings)
    mean = sum(ratings) / len(ratings)
    assert 1.0 <= average <= 5.0
    assert abs(average - mean) <= 0.05 + 1e-9
    assert average == round(average, 1)


def test_text_is_cleaned_of_every_tag():
    assert rules.clean_text("Fresh! <script>alert(1)</script><b>good</b>") == "Fresh! good"
    assert rules.clean_text('<img src=x onerror="alert(1)">nice') == "nice"
    assert rules.clean_text("&lt;script&gt;alert(1)&lt;/script&gt;ok") == "ok"
    assert rules.clean_text("  1 < 2 & tea's \"fine\"  ") == "1 < 2 & tea's \"fine\""
    assert rules.clean_text("") == "" and rules.clean_text(None) == ""
    assert rules.clean_text("牛奶很新鲜\n第二行") == "牛奶很新鲜\n第二行"


@given(st.text(alphabet=st.sampled_from("<>/&;ltgampscriptb =\"'x\n中"), max_size=80) | st.text(max_size=80))
def test_cleaned_text_holds_nothing_a_sanitiser_would_remove(text):
    cleaned = rules.clean_text(text)
    assert html.unescape(nh3.clean(cleaned, tags=set())) == cleaned  # a fixed point: no tag is left
    assert "<script" not in cleaned.lower()


def test_stars_text():
    assert rules.stars_text(3) == "★★★☆☆" and rules.stars_text(5) == "★★★★★"
