"""Charging a day's orders at its cutoff, in a few statements for the whole day.

Per parent, in order: their older breakfasts on credit are settled first (oldest first, while the
balance covers each), then each of the day's orders is charged by ``rules.charge_outcome``: paid,
on credit within the store's grace (cooked, owed), or not cooked. The plan is pure (``plan_parent``);
the writes are batched: one guarded debit per wallet through ``wallet.debit_many``, one batched
UPDATE of the orders, one batched INSERT of the parents' messages. A wallet whose balance changed
under the job is planned again with its new balance, never overdrawn.
"""
import json
from dataclasses import dataclass, field

from ..database import UTCDateTime, json_rows
from ..extensions import db
from ..notifications.operations import notify_many
from ..wallet import operations as wallet
from ..wallet.models import Wallet
from . import purchase_reports, rules
from .models import BreakfastOrder, Child, OrderStatus

REPLANS = 3      # a wallet that moved under the job is planned again this many times, then taken as empty
IN_CHUNK = 1000  # ids per IN list


@dataclass(frozen=True)
class Charge:
    """One order to charge: its id, parent, child and total."""

    order_id: int
    parent_id: int
    child_id: int
    total_cents: int


@dataclass
class ParentPlan:
    """What the cutoff does for one parent: the debits, the day's outcomes, the older debts settled."""

    parent_id: int
    debit_cents: int = 0
    entries: list = field(default_factory=list)    # wallet ledger entries (dicts)
    outcomes: list = field(default_factory=list)   # (Charge, status, charged_cents, owed_cents)
    settled: list = field(default_factory=list)    # (order_id, owed_cents) paid off now
    on_credit_after: int = 0                       # breakfasts still on credit after this cutoff


def plan_parent(parent_id, balance_cents, owed, charges, grace_breakfasts, date_iso):
    """The pure plan for one parent: ``owed`` is ``[(order_id, owed_cents)]`` oldest first, ``charges``
    the day's ``Charge`` rows in id order."""
    plan = ParentPlan(parent_id)
    balance = balance_cents
    for order_id, owed_cents in owed:
        if owed_cents > balance:
            break  # oldest first: a later, smaller debt does not jump the queue
        balance -= owed_cents
        plan.settled.append((order_id, owed_cents))
        plan.entries.append({"amount_cents": owed_cents, "note_key": "breakfast_owed",
                             "note_params": {"breakfast_order": order_id}})
    on_credit = len(owed) - len(plan.settled)
    for charge in charges:
        outcome = rules.charge_outcome(balance, charge.total_cents, on_credit, grace_breakfasts)
        if outcome == "paid":
            balance -= charge.total_cents
            plan.outcomes.append((charge, OrderStatus.PAID.value, charge.total_cents, 0))
            if charge.total_cents:
                plan.entries.append({"amount_cents": charge.total_cents, "note_key": "breakfast",
                                     "note_params": {"breakfast_order": charge.order_id, "date": date_iso}})
        elif outcome == "on_credit":
            on_credit += 1
            plan.outcomes.append((charge, OrderStatus.ON_CREDIT.value, 0, charge.total_cents))
        else:
            plan.outcomes.append((charge, OrderStatus.NOT_COOKED.value, 0, 0))
    plan.debit_cents = balance_cents - balance
    plan.on_credit_after = on_credit
    return plan


def _chunks(ids):
    ids = sorted(ids)
    return [ids[i:i + IN_CHUNK] for i in range(0, len(ids), IN_CHUNK)]


def load_balances(parent_ids):
    found = {}
    for chunk in _chunks(parent_ids):
        found.update(db.session.execute(db.select(Wallet.user_id, Wallet.balance_cents)
                                        .where(Wallet.user_id.in_(chunk))).all())
    return {parent_id: found.get(parent_id, 0) for parent_id in parent_ids}


def load_owed(store_id, day_id):
    """``{parent_id: [(order_id, owed_cents)]}`` for the parents with orders on the day: their
    breakfasts of other days still on credit, oldest first (one query)."""
    parents = db.select(BreakfastOrder.parent_id).where(BreakfastOrder.day_id == day_id).scalar_subquery()
    owed = {}
    rows = db.session.execute(db.select(BreakfastOrder.parent_id, BreakfastOrder.id, BreakfastOrder.owed_cents)
                              .where(BreakfastOrder.store_id == store_id, BreakfastOrder.parent_id.in_(parents),
                                     BreakfastOrder.owed_cents > 0, BreakfastOrder.day_id != day_id)
                              .order_by(BreakfastOrder.id))
    for parent_id, order_id, owed_cents in rows:
        owed.setdefault(parent_id, []).append((order_id, owed_cents))
    return owed


def placed_charges(day_id):
    """The day's orders still to charge (placed), in id order."""
    return [charge for charge, _balance in _placed_with_balances(day_id)]


def _placed_with_balances(day_id):
    """The day's placed orders with their parent's wallet balance, in one query."""
    rows = db.session.execute(db.select(BreakfastOrder.id, BreakfastOrder.parent_id, BreakfastOrder.child_id,
                                        BreakfastOrder.total_cents, Wallet.balance_cents)
                              .outerjoin(Wallet, Wallet.user_id == BreakfastOrder.parent_id)
                              .where(BreakfastOrder.day_id == day_id, BreakfastOrder.status == OrderStatus.PLACED.value)
                              .order_by(BreakfastOrder.id))
    return [(Charge(*row[:4]), row[4] or 0) for row in rows]


def charge_day(store, day, now, grace_breakfasts):
    """Charge every placed order of the day (the freeze): the orders and their parents' balances are
    read in one query, the debts in another."""
    placed = _placed_with_balances(day.id)
    balances = {charge.parent_id: balance for charge, balance in placed}
    return charge_orders(store, day, [charge for charge, _balance in placed], now, grace_breakfasts,
                         balances=balances)


def _plans(store, day, by_parent, grace, balances, owed):
    return {parent_id: plan_parent(parent_id, balances[parent_id], owed[parent_id], charges, grace,
                                   day.date.isoformat())
            for parent_id, charges in by_parent.items()}


def _debit(store, plans, now):
    """Debit the planned wallets; returns the parent ids whose wallet moved under the job."""
    wanted = [{"user_id": p.parent_id, "store_id": store.id, "amount_cents": p.debit_cents, "entries": p.entries}
              for p in plans.values() if p.debit_cents > 0]
    done = wallet.debit_many(wanted, now=now)
    return {row["user_id"] for row in wanted} - done


def charge_orders(store, day, charges, now, grace_breakfasts, *, balances=None):
    """Charge ``charges`` (placed orders of the day) and settle older debts; returns the plans by
    parent. ``balances`` (by parent) saves reading them again when the caller has them."""
    by_parent = {}
    for charge in charges:
        by_parent.setdefault(charge.parent_id, []).append(charge)
    found = load_owed(store.id, day.id)
    owed = {parent_id: found.get(parent_id, []) for parent_id in by_parent}
    final, pending = {}, dict(by_parent)
    for attempt in range(REPLANS + 1):
        if attempt == 0 and balances is not None:
            balances = {p: balances.get(p, 0) for p in pending}
        else:
            balances = load_balances(pending) if attempt < REPLANS else {p: 0 for p in pending}
        plans = _plans(store, day, pending, grace_breakfasts, balances, owed)
        moved = _debit(store, plans, now)
        final.update({p: plan for p, plan in plans.items() if p not in moved})
        pending = {p: by_parent[p] for p in moved}
        if not pending:
            break
    _write_orders(final.values(), now)
    _tell_parents(store, day, final.values(), grace_breakfasts, now)
    db.session.expire_all()  # orders and wallets were written by batched statements, not through the objects
    purchase_reports.report_charged([outcome[0].order_id for plan in final.values() for outcome in plan.outcomes],
                                    now)
    return final


def _write_orders(plans, now):
    """The day's outcomes and the debts settled, in two statements (rows sent as one JSON parameter)."""
    outcomes = [{"id": charge.order_id, "status": status, "charged": charged, "owed": owed_cents,
                 "note": "" if status == OrderStatus.PAID.value else status}
                for plan in plans for charge, status, charged, owed_cents in plan.outcomes]
    if outcomes:
        columns = (("id", "integer"), ("status", "text"), ("charged", "integer"), ("owed", "integer"),
                   ("note", "text"))
        db.session.execute(db.text(
            "UPDATE breakfast_orders SET status = outcomes.status, charged_cents = outcomes.charged,"
            " owed_cents = outcomes.owed, charge_note = outcomes.note, charged_at = :now"
            f" FROM {json_rows('outcomes', columns)} WHERE breakfast_orders.id = outcomes.id")
            .bindparams(db.bindparam("now", type_=UTCDateTime())), {"outcomes": json.dumps(outcomes), "now": now})
    settled = [{"id": order_id, "paid": owed} for plan in plans for order_id, owed in plan.settled]
    if settled:
        db.session.execute(db.text(
            "UPDATE breakfast_orders SET charged_cents = breakfast_orders.charged_cents + settled.paid,"
            " owed_cents = breakfast_orders.owed_cents - settled.paid"
            f" FROM {json_rows('settled', (('id', 'integer'), ('paid', 'integer')))}"
            " WHERE breakfast_orders.id = settled.id"), {"settled": json.dumps(settled)})


def _tell_parents(store, day, plans, grace, now):
    """The parent of each order not plainly paid learns the real reason (one message per order)."""
    told = [(plan, charge, status) for plan in plans for charge, status, _c, _o in plan.outcomes
            if status != OrderStatus.PAID.value]
    if not told:
        return
    names = dict(db.session.execute(db.select(Child.id, Child.name).where(
        Child.id.in_({charge.child_id for _p, charge, _s in told}))).all())
    notify_many([dict(user_id=plan.parent_id, store_id=store.id, kind=f"breakfast_{status}",
                      dedupe_key=f"breakfast_charge:{charge.order_id}", link="/breakfast",
                      params={"child": names.get(charge.child_id, ""), "date": day.date.isoformat(),
                              "total_cents": charge.total_cents, "grace": grace,
                              "on_credit": plan.on_credit_after})
                 for plan, charge, status in told], now)
