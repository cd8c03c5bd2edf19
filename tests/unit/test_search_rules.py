"""Product search, pure: pinyin keys of names, and the ranking (exact and prefix, then category, then
substring; a name that ends with the word before one that only contains it)."""
import pytest

from store_app.catalogue import search_rules as sr

DAIRY = {"category_zh": "乳品蛋品", "category_en": "Dairy & eggs", "category_pinyin": sr.pinyin_key("乳品蛋品")}
SNACKS = {"category_zh": "零食", "category_en": "Snacks", "category_pinyin": sr.pinyin_key("零食")}
BAKERY = {"category_zh": "烘焙", "category_en": "Bakery", "category_pinyin": sr.pinyin_key("烘焙")}


def product(pid, zh, en, category=DAIRY, barcode=None):
    return sr.SearchText(pid, zh, en, sr.pinyin_key(zh), barcode, **category)


MILK = product(1, "光明纯牛奶", "Bright Whole Milk")
CHOCOLATE = product(2, "德芙丝滑牛奶巧克力", "Dove Silky Milk Chocolate", SNACKS)
MILK_TOAST = product(3, "牛奶吐司", "Milk Toast Bread", BAKERY)
YOGHURT = product(4, "安慕希原味酸奶", "Ambrosial Greek-style Yoghurt")
EGGS = product(5, "新鲜鸡蛋", "Fresh Eggs", barcode="6920261020097")
CHIPS = product(6, "乐事原味薯片", "Lay's Classic Potato Chips", SNACKS)
ALL = [MILK, CHOCOLATE, MILK_TOAST, YOGHURT, EGGS, CHIPS]


def ranked(query, texts=ALL, order=()):
    words = sr.search_words(query)
    ranks = {t.product_id: sr.match_rank(words, t) for t in texts}
    ranks = {pid: rank for pid, rank in ranks.items() if rank is not None}
    return sr.order_by_match(ranks, list(order) or [t.product_id for t in texts])


# ---- pinyin keys ------------------------------------------------------------------------------

def test_the_pinyin_key_holds_the_joined_syllables_the_syllables_and_the_initials():
    assert sr.pinyin_key("牛奶") == "niunai|niu nai|nn"
    assert sr.pinyin_key("光明纯牛奶") == "guangmingchunniunai|guang ming chun niu nai|gmcnn"


def test_only_chinese_characters_make_pinyin():
    assert sr.pinyin_key("汇源100%橙汁") == "huiyuanchengzhi|hui yuan cheng zhi|hycz"
    assert sr.pinyin_key("麒麟西瓜（半个）") == "qilinxiguabange|qi lin xi gua ban ge|qlxgbg"
    assert sr.pinyin_key("Coca-Cola") == ""
    assert sr.pinyin_key("") == "" and sr.pinyin_key(None) == ""


def test_words_in_context_take_their_usual_reading():
    assert sr.pinyin_key("乐事").startswith("leshi|")      # 乐 as in 快乐, not 音乐
    assert sr.pinyin_key("重芝士").startswith("zhongzhishi|")


def test_a_key_reads_back_and_a_strange_one_reads_as_nothing():
    pinyin = sr.read_pinyin(sr.pinyin_key("光明纯牛奶"))
    assert pinyin.syllables == ("guang", "ming", "chun", "niu", "nai") and pinyin.initials == "gmcnn"
    assert pinyin.syllable_tails()[-2:] == ["niunai", "nai"]
    assert sr.read_pinyin("nonsense") == sr.Pinyin() and sr.read_pinyin("") == sr.Pinyin()


# ---- the words of a search --------------------------------------------------------------------

def test_search_words_are_lower_case_and_capped():
    assert sr.search_words("  Milk   牛奶 ") == ["milk", "牛奶"]
    assert len(sr.search_words(" ".join(["a"] * 20))) == sr.QUERY_MAX_WORDS
    assert sr.search_words("x" * 500) == ["x" * sr.QUERY_MAX_CHARS]
    assert sr.search_words(None) == [] and sr.search_words("   ") == []


# ---- one product against the words ------------------------------------------------------------

@pytest.mark.parametrize("query, text, tier", [
    ("牛奶吐司", MILK_TOAST, sr.EXACT),
    ("niunaitusi", MILK_TOAST, sr.EXACT),
    ("nnts", MILK_TOAST, sr.EXACT),
    ("6920261020097", EGGS, sr.EXACT),
    ("牛奶", MILK_TOAST, sr.PREFIX),
    ("niunai", MILK_TOAST, sr.PREFIX),
    ("nn", MILK_TOAST, sr.PREFIX),
    ("bright", MILK, sr.PREFIX),
    ("乳品", MILK, sr.CATEGORY),
    ("dairy", EGGS, sr.CATEGORY),
    ("rupin", YOGHURT, sr.CATEGORY),
    ("牛奶", MILK, sr.SUBSTRING),
    ("niunai", MILK, sr.SUBSTRING),
    ("nn", MILK, sr.SUBSTRING),
    ("milk", CHOCOLATE, sr.SUBSTRING),
])
def test_tiers(query, text, tier):
    rank = sr.match_rank(sr.search_words(query), text)
    assert rank is not None and rank[0] == tier


@pytest.mark.parametrize("query, text", [
    ("咖啡", MILK),
    ("coffee", MILK),
    ("an", MILK),        # inside "guang", not at the start of a syllable
    ("iunai", MILK),
    ("牛奶 咖啡", MILK),  # every word must match
])
def test_no_match(query, text):
    assert sr.match_rank(sr.search_words(query), text) is None


def test_a_name_that_ends_with_the_word_is_what_was_asked_for():
    words = sr.search_words("牛奶")
    assert sr.match_rank(words, MILK) < sr.match_rank(words, CHOCOLATE)
    words = sr.search_words("milk")
    assert sr.match_rank(words, MILK) < sr.match_rank(words, CHOCOLATE)
    words = sr.search_words("nn")
    assert sr.match_rank(words, MILK) < sr.match_rank(words, CHOCOLATE)


def test_a_product_matches_as_well_as_its_worst_word():
    assert sr.match_rank(sr.search_words("光明 牛奶"), MILK)[0] == sr.SUBSTRING
    assert sr.match_rank(sr.search_words("bright whole"), MILK)[0] == sr.SUBSTRING
    assert sr.match_rank(sr.search_words("milk toast bread"), MILK_TOAST) == (sr.SUBSTRING, 1)
    assert sr.match_rank([], MILK) == (sr.EXACT, 0)


# ---- the order of the results -----------------------------------------------------------------

def test_milk_comes_before_milk_chocolate():
    assert ranked("牛奶") == [MILK_TOAST.product_id, MILK.product_id, CHOCOLATE.product_id]
    assert ranked("niunai") == [MILK_TOAST.product_id, MILK.product_id, CHOCOLATE.product_id]
    assert ranked("nn") == [MILK_TOAST.product_id, MILK.product_id, CHOCOLATE.product_id]


def test_exact_then_prefix_then_category_then_substring():
    milkshake = product(7, "奶昔", "Milkshake", SNACKS)
    just_milk = product(8, "牛奶", "Milk")
    texts = ALL + [milkshake, just_milk]
    # Milk (exact), Milk Toast Bread and Milkshake (prefix), then the substrings, whole milk first.
    assert ranked("milk", texts) == [8, 3, 7, 1, 2]
    # A category word lists the category's products after the names that start with it.
    dairy_cheese = product(9, "乳品芝士", "Dairy Cheese", SNACKS)
    assert ranked("乳品", [MILK, YOGHURT, dairy_cheese, CHIPS]) == [9, 1, 4]


def test_within_a_rank_the_feed_order_decides():
    assert ranked("dairy", order=[5, 4, 1, 2, 3, 6]) == [5, 4, 1]
    assert ranked("dairy", order=[1, 4, 5]) == [1, 4, 5]
    assert ranked("牛奶", order=[2, 1, 3]) == [3, 1, 2]   # relevance first, whatever the feed says


def test_the_order_is_deterministic_and_keeps_only_known_ids():
    ranks = {1: (sr.SUBSTRING, 0), 2: (sr.SUBSTRING, 0), 3: (sr.PREFIX, 0)}
    assert sr.order_by_match(ranks, [2, 1, 3, 99]) == [3, 2, 1]
    assert sr.order_by_match({}, [1, 2]) == []
