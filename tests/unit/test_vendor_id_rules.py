"""The vendor's identity numbers (USCC for companies, resident ID for individuals), their masking,
and the weekly hours' RRULE and clock rules."""
import pytest

from services import hours_rules, id_rules



def test_good_uscc_numbers_are_compacted():
    assert id_rules.check_id_number("company", "91350100M000100Y43") == "91350100M000100Y43"
    assert id_rules.check_id_number("company", " 9111 0000 6000 3734 1L ") == "91110000600037341L"


@pytest.mark.parametrize("number, code", [
    ("91350100M000100Y44", "checksum"),   # last character wrong
    ("91350100M000100Y4", "length"),      # one short
    ("", "empty"),
    ("   ", "empty"),
    ("9135010OM000100Y43", "format"),     # the letter O is never used
])
def test_bad_uscc_numbers_are_refused_with_a_reason(number, code):
    with pytest.raises(id_rules.IdNumberInvalid) as caught:
        id_rules.check_id_number("company", number)
    assert caught.value.code == code


def test_good_resident_id_number():
    assert id_rules.check_id_number("individual", "11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("number", ["110105194912310021", "11010519491331002X", "1101051949123100",
                                    "ABCDEFGHIJKLMNOPQR"])
def test_bad_resident_id_numbers_are_refused(number):
    with pytest.raises(id_rules.IdNumberInvalid):
        id_rules.check_id_number("individual", number)


def test_a_company_number_is_not_a_person_number():
    with pytest.raises(id_rules.IdNumberInvalid):
        id_rules.check_id_number("individual", "91350100M000100Y43")
    with pytest.raises(id_rules.IdNumberInvalid) as caught:
        id_rules.check_id_number("partnership", "91350100M000100Y43")
    assert caught.value.code == "kind"


@pytest.mark.parametrize("number, shown", [
    ("11010519491231002X", "1101**********002X"),
    ("91350100M000100Y43", "9135**********0Y43"),
    ("12345678", "*******8"),
    ("", ""),
])
def test_numbers_are_masked_but_for_head_and_tail(number, shown):
    assert id_rules.mask_number(number) == shown


def test_weekly_rrule_orders_days_and_refuses_nonsense():
    assert hours_rules.weekly_rrule(["WE", "MO", "WE"]) == "FREQ=WEEKLY;BYDAY=MO,WE"
    assert hours_rules.rrule_days("FREQ=WEEKLY;BYDAY=SU,MO") == ["MO", "SU"]
    assert hours_rules.rrule_days("FREQ=DAILY") == []
    for days in ([], ["XX"], ["MO", "FUNDAY"]):
        with pytest.raises(ValueError):
            hours_rules.weekly_rrule(days)


def test_clock_minutes_and_text():
    assert hours_rules.clock_minutes(8, 30) == 510
    assert hours_rules.clock_minutes(24, 0) == 1440
    assert hours_rules.clock_text(510) == "08:30"
    for hours, minutes in ((24, 1), (-1, 0), (8, 60)):
        with pytest.raises(ValueError):
            hours_rules.clock_minutes(hours, minutes)
