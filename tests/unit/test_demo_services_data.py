"""The demo marketplace's data, before any database: valid licence and ID numbers, the probation
vendor's stars below the rule and every other vendor's above it, terms in each language, phones in
the demo's range and each login once."""
import pytest
from services.categories import default_categories
from stdnum.cn import ric, uscc

from store_app.demo import data
from store_app.demo import services_data as sd


@pytest.mark.parametrize("spec", sd.VENDORS, ids=[spec["key"] for spec in sd.VENDORS])
def test_each_vendor_has_a_valid_number_for_its_kind(spec):
    if spec["kind"] == "company":
        assert uscc.is_valid(spec["licence_number"]) and "id_number" not in spec
    else:
        assert ric.is_valid(spec["id_number"]) and "licence_number" not in spec
    assert 2 <= len(spec["crews"]) <= 3 and spec["offerings"] and spec["availability"]
    assert set(spec["categories"]) >= {offering[0] for offering in spec["offerings"]}


def test_one_vendor_is_rated_below_the_rule_over_enough_reviews_and_no_other():
    for key, stars in sd.PAST_JOBS.items():
        given = [s for s in stars if s]
        below = len(given) >= sd.MIN_REVIEWS and sum(given) / len(given) < sd.MIN_RATING
        assert below == (key == sd.PROBATION_VENDOR), key


def test_the_terms_are_written_out_in_each_language():
    for spec in default_categories():
        assert f"{spec['guarantee_days']} 天" in spec["terms_zh"] and f"{spec['damage_cap_cents'] // 100} 元" in \
            spec["terms_zh"]
        assert f"¥{spec['damage_cap_cents'] // 100} " in spec["terms_en"]
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in spec["terms_en"])
        assert f"{spec['guarantee_days']} days" in spec["terms_en"] and "Not covered:" in spec["terms_en"]


def test_the_logins_are_new_numbers_of_the_demo_range():
    owners, crew = sd.vendor_logins()
    phones = [phone for phone, *_names in owners + crew]
    taken = {data.OWNER[0]} | {p for p, *_ in data.STAFF + data.COURIERS + data.RESIDENTS}
    assert len(set(phones)) == len(phones) and not set(phones) & taken
    assert all(phone.startswith("+861380013803") or phone.startswith("+861380013802") for phone in phones)
    assert all(name and name_en.isascii() for _phone, name, name_en in owners + crew)
