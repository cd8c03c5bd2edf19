"""Breakfast in the JSON API (``/api/v1/breakfast``), for a resident's logged-in browser: the menu of
a date, placing and cancelling one child's order, a child's coming days. The same rules as the pages."""
from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.api import SIGNED_IN, api_error, documented
from ..web.guards import role_required
from ..web.i18n import localized
from ..web.params import json_object
from . import cards, errors, operations, rules

bp = Blueprint("breakfast_api", __name__)
resident_only = role_required(Role.RESIDENT)


class MenuQuery(BaseModel):
    date: str = Field(description="The pickup date, YYYY-MM-DD", examples=["2026-12-08"], max_length=10)
    child_id: int | None = Field(None, description="Mark the items this child may not eat", ge=1)


class MenuItemOut(BaseModel):
    item_id: int
    name: str
    price_cents: int = Field(ge=0)
    ingredients: str
    allergens: list[str] = Field(description="Allergen codes of the 14 major allergens")
    allergens_known: bool = Field(description="False: allergen information incomplete")
    portions_left: int = Field(ge=0)
    sold_out: bool
    blocked_for_child: bool = Field(description="The child's allergies forbid it (false without child_id)")


class MenuOut(BaseModel):
    date: str
    status: str = Field(description="open, closed, frozen or done")
    may_order: bool
    order_by: str = Field(description="The order cutoff, ISO 8601 UTC")
    cancel_by: str = Field(description="The cancel cutoff, ISO 8601 UTC")
    collect_from: str
    collect_until: str
    items: list[MenuItemOut]


class OrderLineIn(BaseModel):
    item_id: int = Field(ge=1)
    quantity: int = Field(ge=1, le=5)


class OrderIn(BaseModel):
    child_id: int = Field(ge=1)
    date: str = Field(max_length=10, examples=["2026-12-08"])
    items: list[OrderLineIn] = Field(min_length=1, max_length=30)
    idempotency_key: str = Field(min_length=8, max_length=64)


class OrderLineOut(BaseModel):
    item_id: int
    name: str
    quantity: int
    price_cents: int


class OrderOut(BaseModel):
    order_id: int
    child_id: int
    date: str
    status: str = Field(description="placed, cancelled, paid, on_credit, not_cooked, collected, no_show, refunded")
    total_cents: int = Field(ge=0)
    pickup_code: str | None = Field(description="The six digits to show at the desk (null once cancelled)")
    collect_from: str
    collect_until: str
    cancel_by: str
    lines: list[OrderLineOut]


def _order_json(order):
    live = order.status in ("placed", "paid", "on_credit")
    return {"order_id": order.id, "child_id": order.child_id, "date": order.day.date.isoformat(),
            "status": order.status, "total_cents": order.total_cents,
            "pickup_code": operations.pickup_code(order) if live else None,
            "collect_from": order.day.pickup_start_at.isoformat(), "collect_until": order.day.pickup_end_at.isoformat(),
            "cancel_by": min(order.day.cancel_cutoff_at, order.day.order_cutoff_at).isoformat(),
            "lines": [{"item_id": line.item_id, "name": localized(line.item), "quantity": line.quantity,
                       "price_cents": line.price_cents} for line in order.lines]}


def _parse_date(text):
    try:
        found = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        return None
    return found if found is not None and 2000 <= found.year <= 2100 else None


@bp.get("/api/v1/breakfast/menu")
@documented(query=MenuQuery, ok=(200, MenuOut), errors=(400, 403, 404, 409), security=SIGNED_IN, tags=["breakfast"])
@resident_only
def api_menu():
    """The menu of a date: items, price, allergens, portions left, sold out; 409 when there is no
    breakfast that day (not a school day) and 404 when ordering has not opened yet."""
    when = _parse_date(request.args.get("date"))
    if when is None:
        return api_error(_("Give the date as YYYY-MM-DD."), 400)
    child = None
    if request.args.get("child_id"):
        child_id = request.args.get("child_id", type=int)
        try:
            child = operations.get_child(current_user.id, child_id)
        except errors.ChildNotFound as exc:
            return api_error(exc.message, 404)
    store, now = current_user.store, utcnow()
    try:
        with transaction():
            day = cards.open_day(store, when, now)
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    if day is None:
        return api_error(errors.OrderingNotOpen.message, 404)
    return jsonify(date=when.isoformat(), status=day.status,
                   may_order=day.status == "open" and rules.may_order(now, day.opens_at, day.order_cutoff_at),
                   order_by=day.order_cutoff_at.isoformat(), cancel_by=day.cancel_cutoff_at.isoformat(),
                   collect_from=day.pickup_start_at.isoformat(), collect_until=day.pickup_end_at.isoformat(),
                   items=[{"item_id": row.item.id, "name": localized(row.item), "price_cents": row.item.price_cents,
                           "ingredients": localized(row.item, "ingredients"),
                           "allergens": sorted(row.item.allergen_codes(), key=rules.ALLERGENS.index),
                           "allergens_known": row.item.allergens_known, "portions_left": row.portions_left,
                           "sold_out": row.sold_out, "blocked_for_child": row.blocked is not None}
                          for row in cards.menu_rows(day, child)])


def _order_input(data):
    """``(child_id, date, {item_id: n}, key)`` or an error message."""
    child_id, when, key = data.get("child_id"), _parse_date(data.get("date")), data.get("idempotency_key")
    lines = data.get("items")
    if not isinstance(child_id, int) or isinstance(child_id, bool) or not 0 < child_id < 2**31:
        return _("Choose the child.")
    if when is None:
        return _("Give the date as YYYY-MM-DD.")
    if not isinstance(key, str) or not 8 <= len(key) <= 64:
        return _("Send an idempotency key of 8 to 64 characters.")
    if not isinstance(lines, list) or not 1 <= len(lines) <= 30:
        return str(errors.NothingChosen.message)
    quantities = {}
    for line in lines:
        if not isinstance(line, dict):
            return str(errors.QuantityInvalid.message)
        item_id, quantity = line.get("item_id"), line.get("quantity")
        if (not isinstance(item_id, int) or isinstance(item_id, bool) or not 0 < item_id < 2**31
                or not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 5
                or item_id in quantities):
            return str(errors.QuantityInvalid.message)
        quantities[item_id] = quantity
    return child_id, when, quantities, key


@bp.post("/api/v1/breakfast/orders")
@documented(json=OrderIn, ok=(201, OrderOut), errors=(403, 404, 409), security=SIGNED_IN, tags=["breakfast"])
@resident_only
def api_place_order():
    """Place one child's breakfast of one date; a replay of the idempotency key returns the first order.
    409 past the cutoff, sold out, an allergen of the child's, or a second order that day."""
    parsed = _order_input(json_object(request))
    if isinstance(parsed, str):
        return api_error(parsed, 400)
    child_id, when, quantities, key = parsed
    try:
        with transaction():
            placed = operations.place_order(current_user.store, current_user.id, child_id, when, quantities, utcnow(),
                                            idempotency_key=key)
            body = _order_json(placed)
    except DomainError as exc:
        return api_error(exc.message, 400 if exc.status == 423 else exc.status)
    return jsonify(body), 201


@bp.post("/api/v1/breakfast/orders/<int:order_id>/cancel")
@documented(ok=(200, OrderOut), errors=(400, 403, 404, 409), security=SIGNED_IN, tags=["breakfast"])
@resident_only
def api_cancel_order(order_id):
    """Cancel (skip) a breakfast up to its cancel cutoff; 409 after it."""
    try:
        with transaction():
            cancelled = operations.cancel_order(current_user.id, order_id, utcnow())
            body = _order_json(cancelled)
    except DomainError as exc:
        return api_error(exc.message, exc.status)
    return jsonify(body)


@bp.get("/api/v1/breakfast/children/<int:child_id>/days")
@documented(ok=(200, list[OrderOut]), errors=(403, 404), security=SIGNED_IN, tags=["breakfast"])
@resident_only
def api_child_days(child_id):
    """A child's coming breakfast days (live orders, soonest first)."""
    try:
        operations.get_child(current_user.id, child_id)
    except errors.ChildNotFound as exc:
        return api_error(exc.message, 404)
    return jsonify([_order_json(order) for order in operations.upcoming_orders(child_id, utcnow(), days=30)])
