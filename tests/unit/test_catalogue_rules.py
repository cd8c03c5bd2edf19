"""The catalogue's pure rules: decay, popularity, habits, the feed's ranking and reasons, stock
adjustments, prices, barcodes, image types, and the CSV import's parsing."""
import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store_app.catalogue import csv_rules, rules
from store_app.catalogue.rules import Candidate, Purchase, Sale

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def days_ago(days):
    return NOW - timedelta(days=days)


# ---- decay and popularity --------------------------------------------------------------------

def test_decay_halves_every_half_life():
    assert rules.decay(0, 7) == 1.0
    assert rules.decay(7, 7) == pytest.approx(0.5)
    assert rules.decay(14, 7) == pytest.approx(0.25)
    assert rules.decay(-3, 7) == 1.0  # a sale "in the future" (clock skew) counts as now


def test_popularity_weighs_recent_sales_more():
    sales = [Sale(1, 2, days_ago(0)), Sale(1, 1, days_ago(7)), Sale(2, 3, days_ago(14))]
    scores = rules.popularity(sales, NOW)
    assert scores[1] == pytest.approx(2 + 0.5)
    assert scores[2] == pytest.approx(3 * 0.25)


def test_normalised_popularity_gives_the_best_seller_one():
    norm = rules.normalised_popularity({1: 10.0, 2: 1.0, 3: 0.0})
    assert norm[1] == 1.0 and 0 < norm[2] < 1 and norm[3] == 0.0
    assert rules.normalised_popularity({}) == {}


# ---- habits ----------------------------------------------------------------------------------

def test_mean_interval_of_evenly_spaced_purchases():
    times = [days_ago(12), days_ago(8), days_ago(4), days_ago(0)]
    assert rules.mean_interval_days(times) == pytest.approx(4.0)
    assert rules.mean_interval_days([days_ago(1)]) is None
    assert rules.mean_interval_days([days_ago(1), days_ago(1)]) is None  # the same order counts once


def test_a_habit_needs_three_purchases():
    purchases = [Purchase(7, 1, days_ago(d)) for d in (9, 5)]
    habit = rules.habits(purchases)[7]
    assert habit.times == 2 and habit.interval_days is None and habit.due_ratio(NOW) is None
    habit = rules.habits(purchases + [Purchase(7, 1, days_ago(1))])[7]
    assert habit.times == 3 and habit.interval_days == pytest.approx(4.0)
    assert habit.due_ratio(NOW) == pytest.approx(0.25)


def test_purchases_on_the_same_day_are_not_a_rhythm():
    purchases = [Purchase(7, 1, NOW - timedelta(hours=h)) for h in (1, 2, 3)]
    assert rules.habits(purchases)[7].interval_days is None


@pytest.mark.parametrize("ratio, factor", [(None, 0), (0.2, 0), (0.5, 0), (0.75, 0.5), (1.0, 1), (2.0, 1),
                                           (3.0, 0.625), (10, 0.25)])
def test_due_factor(ratio, factor):
    assert rules.due_factor(ratio) == pytest.approx(factor)


def test_category_affinity_shares_add_up_to_one_and_favourites_are_the_biggest():
    purchases = [Purchase(1, 10, days_ago(1)), Purchase(2, 10, days_ago(2)), Purchase(3, 20, days_ago(3)),
                 Purchase(4, 30, days_ago(60))]
    affinity = rules.category_affinity(purchases, NOW)
    assert sum(affinity.values()) == pytest.approx(1.0)
    assert affinity[10] > affinity[20] > affinity[30]
    assert rules.favourite_categories(affinity) == [10, 20]


# ---- ranking ---------------------------------------------------------------------------------

def every(product_id, category_id, interval, count, last_days_ago):
    """``count`` purchases of a product, ``interval`` days apart, the last ``last_days_ago``."""
    return [Purchase(product_id, category_id, days_ago(last_days_ago + i * interval)) for i in range(count)]


def test_a_due_habit_beats_the_best_seller():
    candidates = [Candidate(1, 100), Candidate(2, 200), Candidate(3, 300)]
    sales = [Sale(3, 20, days_ago(1))]
    milk = every(1, 100, interval=4, count=5, last_days_ago=4)  # due today
    ranked = rules.rank_feed(candidates, sales, milk, NOW)
    assert [r.product_id for r in ranked] == [1, 3, 2]
    first = ranked[0]
    assert (first.reason, first.every_days, first.due) == (rules.REASON_HABIT, 4, True)
    assert ranked[1].reason == rules.REASON_POPULAR
    assert ranked[2].reason is None


def test_a_habit_just_bought_is_not_pushed_up_as_due():
    candidates = [Candidate(1, 100), Candidate(2, 100)]
    fresh = rules.rank_feed(candidates, [], every(1, 100, 4, 5, last_days_ago=0.5), NOW)
    due = rules.rank_feed(candidates, [], every(1, 100, 4, 5, last_days_ago=4), NOW)
    assert fresh[0].product_id == 1 and not fresh[0].due  # still first: bought often, favourite category
    assert due[0].score > fresh[0].score + 1


def test_reasons_from_most_personal_to_least():
    candidates = [Candidate(1, 10), Candidate(2, 10), Candidate(3, 20), Candidate(4, 30)]
    purchases = every(1, 10, 3, 4, 1) + [Purchase(2, 10, days_ago(2))]
    ranked = {r.product_id: r for r in rules.rank_feed(candidates, [Sale(4, 5, days_ago(1))], purchases, NOW)}
    assert ranked[1].reason == rules.REASON_HABIT and ranked[1].every_days == 3
    assert ranked[2].reason == rules.REASON_BOUGHT
    assert ranked[3].reason is None  # category 20 was never bought
    assert ranked[4].reason == rules.REASON_POPULAR


def test_an_untried_item_of_a_favourite_category_says_so():
    purchases = [Purchase(1, 10, days_ago(d)) for d in (1, 5)]
    feed = rules.rank_feed([Candidate(1, 10), Candidate(5, 10)], [], purchases, NOW)
    ranked = {r.product_id: r for r in feed}
    assert ranked[5].reason == rules.REASON_FAVOURITE and ranked[5].category_id == 10


def test_a_repeated_candidate_counts_once_whatever_the_order():
    one = rules.rank_feed([Candidate(1, 2), Candidate(1, 1)], [], [Purchase(9, 2, days_ago(1))], NOW)
    two = rules.rank_feed([Candidate(1, 1), Candidate(1, 2)], [], [Purchase(9, 2, days_ago(1))], NOW)
    assert one == two and len(one) == 1


def test_ties_are_broken_by_product_id_and_duplicates_dropped():
    candidates = [Candidate(9, 1), Candidate(3, 1), Candidate(5, 1), Candidate(3, 1)]
    assert [r.product_id for r in rules.rank_feed(candidates, [], [], NOW)] == [3, 5, 9]


def test_an_empty_feed():
    assert rules.rank_feed([], [Sale(1, 1, NOW)], [], NOW) == []


ids = st.integers(1, 40)
moments = st.integers(0, 60 * 24 * 60).map(lambda minutes: NOW - timedelta(minutes=minutes))
candidates_st = st.lists(ids.map(lambda pid: Candidate(pid, pid % 6 + 1)), max_size=30)  # one category each
sales_st = st.lists(st.builds(Sale, ids, st.integers(1, 5), moments), max_size=60)
purchases_st = st.lists(st.builds(Purchase, ids, st.integers(1, 6), moments), max_size=40)


@settings(max_examples=150, deadline=None)
@given(candidates_st, sales_st, purchases_st, st.randoms(use_true_random=False))
def test_ranking_is_a_deterministic_permutation_of_the_candidates(candidates, sales, purchases, rnd):
    ranked = rules.rank_feed(candidates, sales, purchases, NOW)
    assert sorted(r.product_id for r in ranked) == sorted({c.product_id for c in candidates})
    shuffled = [list(x) for x in (candidates, sales, purchases)]
    for items in shuffled:
        rnd.shuffle(items)
    assert [r.product_id for r in rules.rank_feed(*shuffled, NOW)] == [r.product_id for r in ranked]
    scores = [round(r.score, 9) for r in ranked]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=150, deadline=None)
@given(candidates_st.filter(bool), sales_st, purchases_st, st.data())
def test_one_more_recent_sale_never_moves_a_product_down(candidates, sales, purchases, data):
    target = data.draw(st.sampled_from(candidates)).product_id
    before = [r.product_id for r in rules.rank_feed(candidates, sales, purchases, NOW)]
    more = sales + [Sale(target, 3, NOW)]
    after = [r.product_id for r in rules.rank_feed(candidates, more, purchases, NOW)]
    assert after.index(target) <= before.index(target)


# ---- stock, prices, barcodes, images ---------------------------------------------------------

@pytest.mark.parametrize("delta, reason, problem", [
    (5, "restock", None), (-2, "damage", None), (-3, "count_correction", None), (4, "other", None),
    (0, "restock", "zero"), (-1, "restock", "restock_negative"), (2, "damage", "damage_positive"),
    (100_001, "count_correction", "too_large"), (3, "sale", "reason_invalid"), (3, "", "reason_invalid"),
])
def test_adjustment_problem(delta, reason, problem):
    assert rules.adjustment_problem(delta, reason) == problem


@pytest.mark.parametrize("text, cents", [("12.5", 1250), ("12.50", 1250), ("¥3", 300), ("￥0.01", 1),
                                         (" 1,299.00 ", 129900), ("100000", 10_000_000)])
def test_parse_price_accepts(text, cents):
    assert rules.parse_price_cents(text) == cents


@pytest.mark.parametrize("text, code", [("", "invalid"), ("abc", "invalid"), ("1.234", "invalid"),
                                        ("NaN", "invalid"), ("Infinity", "invalid"), ("sNaN", "invalid"),
                                        ("1e999999", "invalid"),
                                        ("9" * 13, "invalid"), (None, "invalid"), ("0", "not_positive"),
                                        ("-3", "not_positive"), ("100000.01", "too_high")])
def test_parse_price_refuses(text, code):
    with pytest.raises(rules.PriceError) as caught:
        rules.parse_price_cents(text)
    assert caught.value.code == code


def test_format_price_round_trips():
    for cents in (1, 99, 100, 1250, 10_000_000):
        assert rules.parse_price_cents(rules.format_price(cents)) == cents


def test_gtin_check_digits():
    assert rules.is_valid_gtin("6901234567892")
    assert not rules.is_valid_gtin("6901234567893")
    assert rules.is_valid_gtin("96385074")  # EAN-8
    assert rules.is_valid_gtin("036000291452")  # UPC-A
    assert not rules.is_valid_gtin("69012345678a2")


@given(st.text("0123456789", min_size=12, max_size=12))
def test_a_computed_check_digit_makes_a_valid_ean13(body):
    assert rules.is_valid_gtin(body + str(rules.gtin_check_digit(body)))


@pytest.mark.parametrize("code, problem", [("6901234567892", None), ("SKU-001", None), ("12345", None),
                                           ("", "missing"), ("6901234567893", "checksum"), ("a b", "invalid"),
                                           ("x" * 33, "invalid"), ("条码", "invalid"), ("１２３", "invalid")])
def test_barcode_problem(code, problem):
    assert rules.barcode_problem(code) == problem


@pytest.mark.parametrize("head, kind", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpg"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "webp"), (b"GIF89a\x01\x00\x01\x00", None),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    (b"<svg xmlns=", None), (b"%PDF-1.7", None), (b"", None), (b"\xff\xd8", None),
])
def test_sniff_image_type(head, kind):
    assert rules.sniff_image_type(head) == kind


# ---- CSV -------------------------------------------------------------------------------------

HEADER = "barcode,name_zh,name_en,category,price,stock,merchant\n"


def test_csv_good_lines_become_rows_with_line_numbers():
    parsed = csv_rules.parse_product_csv(HEADER + "6901234567892,牛奶,Milk,dairy,12.50,24,\n"
                                         "\n"
                                         "SKU-7,\"面包, 全麦\",\"Bread, wholemeal\",bakery,¥8,3,Wheat Aroma\n")
    assert parsed.problems == []
    assert parsed.rows == [
        csv_rules.ProductRow(2, "6901234567892", "牛奶", "Milk", "dairy", 1250, 24, ""),
        csv_rules.ProductRow(4, "SKU-7", "面包, 全麦", "Bread, wholemeal", "bakery", 800, 3, "Wheat Aroma"),
    ]


def test_csv_columns_in_any_order_and_merchant_optional():
    parsed = csv_rules.parse_product_csv("Price, Stock ,barcode,category,name_en,name_zh\n3,1,A1,x,Tea,茶\n")
    assert parsed.rows[0].price_cents == 300 and parsed.rows[0].merchant == ""


def test_csv_bad_lines_list_every_problem():
    parsed = csv_rules.parse_product_csv(
        HEADER + "6901234567893,,Milk,dairy,abc,-1,\n,牛奶,Milk,dairy,0,1.5,\nB2,茶,Tea,drinks,3,x\n")
    assert parsed.rows == []
    codes = {p.line: [code for code, _params in p.problems] for p in parsed.problems}
    assert codes == {2: ["barcode_checksum", "required", "price_invalid", "stock_invalid"],
                     3: ["barcode_missing", "price_not_positive", "stock_invalid"],
                     4: ["stock_invalid"]}


def test_csv_repeated_barcode_is_refused_on_the_later_line():
    parsed = csv_rules.parse_product_csv(HEADER + "A1,茶,Tea,drinks,3,1,\nA1,茶2,Tea 2,drinks,4,1,\n")
    assert [r.line for r in parsed.rows] == [2]
    assert parsed.problems == [csv_rules.LineProblem(3, (("barcode_repeated", {"first": 2}),))]


def test_csv_line_numbers_count_physical_lines_of_quoted_fields():
    parsed = csv_rules.parse_product_csv(HEADER + 'A1,"茶\n绿茶",Tea,drinks,3,1,\nA2,,Tea,drinks,3,1,\n')
    assert parsed.rows[0].line == 2
    assert parsed.problems[0].line == 4


@pytest.mark.parametrize("text, code", [
    ("", "empty"), ("barcode,name_zh\nA,b\n", "missing_columns"),
    (HEADER + "A1," + "x" * 200_000 + ",Tea,drinks,3,1,\n", "unreadable"),  # a field over csv's size limit
])
def test_csv_file_problems(text, code):
    with pytest.raises(csv_rules.CsvFileError) as caught:
        csv_rules.parse_product_csv(text)
    assert caught.value.code == code


def test_csv_missing_columns_are_named():
    with pytest.raises(csv_rules.CsvFileError) as caught:
        csv_rules.parse_product_csv("barcode,name_zh,price\n")
    assert caught.value.params == {"columns": "name_en, category, stock"}


def test_csv_too_many_rows():
    with pytest.raises(csv_rules.CsvFileError) as caught:
        csv_rules.parse_product_csv(HEADER + "A1,茶,Tea,drinks,3,1,\n" * 4, max_rows=3)
    assert caught.value.code == "too_many_rows"


def test_decode_csv_reads_utf8_with_bom_and_gb18030():
    assert csv_rules.decode_csv("\ufeffbarcode,牛奶".encode("utf-8")) == "barcode,牛奶"
    assert csv_rules.decode_csv("barcode,牛奶".encode("gb18030")) == "barcode,牛奶"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=8), max_size=12))
def test_csv_parsing_never_crashes_and_accounts_for_every_non_blank_line(records):
    import csv as csv_module
    import io
    buffer = io.StringIO()
    writer = csv_module.writer(buffer)
    writer.writerow(csv_rules.COLUMNS)
    writer.writerows(records)
    try:
        parsed = csv_rules.parse_product_csv(buffer.getvalue())
    except csv_rules.CsvFileError as exc:
        assert exc.code == "unreadable"
        return
    lines = [r.line for r in parsed.rows] + [p.line for p in parsed.problems]
    assert len(lines) == len(set(lines))
    assert all(line >= 2 for line in lines)
    assert len(lines) == sum(1 for record in records if any(cell.strip() for cell in record))


def test_random_module_is_not_used_for_ordering():
    # The ranking must not depend on hash or set order: the same input twice in fresh orders.
    candidates = [Candidate(i, i % 3) for i in range(50)]
    random.Random(4).shuffle(candidates)
    first = [r.product_id for r in rules.rank_feed(candidates, [], [], NOW)]
    assert first == list(range(50))
