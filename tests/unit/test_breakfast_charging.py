"""The cutoff's charge plan for one parent (pure): older debts settled first, then each order paid,
cooked on credit within the grace, or not cooked; the edges of the grace."""
from store_app.breakfast.charging import Charge, plan_parent


def charges(*totals):
    return [Charge(order_id=100 + n, parent_id=1, child_id=10 + n, total_cents=t) for n, t in enumerate(totals)]


def statuses(plan):
    return [status for _charge, status, _paid, _owed in plan.outcomes]


def test_a_balance_that_covers_exactly_pays():
    plan = plan_parent(1, 800, [], charges(800), grace_breakfasts=2, date_iso="2025-11-11")
    assert statuses(plan) == ["paid"] and plan.debit_cents == 800 and plan.on_credit_after == 0


def test_one_fen_short_is_on_credit_within_the_grace():
    plan = plan_parent(1, 799, [], charges(800), grace_breakfasts=2, date_iso="2025-11-11")
    assert statuses(plan) == ["on_credit"] and plan.debit_cents == 0 and plan.on_credit_after == 1
    assert plan.outcomes[0][3] == 800  # owed


def test_the_grace_counts_breakfasts_already_on_credit():
    owed = [(1, 500), (2, 500)]
    plan = plan_parent(1, 0, owed, charges(800), grace_breakfasts=2, date_iso="2025-11-11")
    assert statuses(plan) == ["not_cooked"] and plan.debit_cents == 0
    plan = plan_parent(1, 0, owed[:1], charges(800, 800), grace_breakfasts=2, date_iso="2025-11-11")
    assert statuses(plan) == ["on_credit", "not_cooked"] and plan.on_credit_after == 2


def test_no_grace_means_a_short_wallet_is_not_cooked():
    plan = plan_parent(1, 100, [], charges(800), grace_breakfasts=0, date_iso="2025-11-11")
    assert statuses(plan) == ["not_cooked"]


def test_older_debts_are_settled_first_oldest_first_while_the_balance_allows():
    plan = plan_parent(1, 1_000, [(1, 500), (2, 800), (3, 100)], charges(300), grace_breakfasts=2,
                       date_iso="2025-11-11")
    assert plan.settled == [(1, 500)]  # the 800 does not fit, and the 100 does not jump the queue
    assert statuses(plan) == ["paid"] and plan.debit_cents == 800
    assert plan.on_credit_after == 2
    assert [e["note_key"] for e in plan.entries] == ["breakfast_owed", "breakfast"]


def test_settling_a_debt_frees_a_place_in_the_grace():
    plan = plan_parent(1, 500, [(1, 500)], charges(800), grace_breakfasts=1, date_iso="2025-11-11")
    assert plan.settled == [(1, 500)] and statuses(plan) == ["on_credit"]


def test_a_free_breakfast_is_paid_without_a_ledger_entry():
    plan = plan_parent(1, 0, [], charges(0), grace_breakfasts=0, date_iso="2025-11-11")
    assert statuses(plan) == ["paid"] and plan.entries == [] and plan.debit_cents == 0
