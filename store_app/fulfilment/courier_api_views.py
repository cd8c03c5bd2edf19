"""The courier's phone through the JSON API (a courier account's device token, or the courier's own
logged-in browser): the tasks the courier carries now, the same list the courier's page shows."""
from flask import Blueprint, jsonify
from flask_babel import get_locale
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import utcnow
from ..roles import Role
from ..web.api import SIGNED_IN, documented
from ..web.guards import role_required
from . import courier_steps

bp = Blueprint("courier_api", __name__)


class TaskItem(BaseModel):
    name: str
    quantity: int = Field(ge=1)


class CourierTask(BaseModel):
    task_id: int
    order_id: int
    status: str = Field(description="The order's step: assigned (to collect) or picked_up (to deliver)")
    address: str
    lat: float
    lon: float
    building: str | None = Field(description="The gazetteer's building, when the address has one")
    entrance_note: str | None
    promised_at: str = Field(description="ISO 8601, UTC")
    minutes_left: int = Field(description="Negative when late")
    amount_due_cents: int = Field(ge=0, description="Cash to collect at the door (0: paid)")
    code_locked: bool = Field(description="Five wrong delivery codes: staff must unlock it")
    items: list[TaskItem]


@bp.get("/api/v1/courier/tasks")
@documented(ok=(200, list[CourierTask]), errors=(403,), security=SIGNED_IN, tags=["couriers"])
@role_required(Role.COURIER)
def api_tasks():
    """The courier's current tasks, soonest promise first (as on the courier's page)."""
    lang = get_locale().language if get_locale() else "zh"
    cards = courier_steps.list_task_cards(current_user, utcnow())
    return jsonify([{
        "task_id": card.task.id, "order_id": card.order.id, "status": card.order.status,
        "address": card.order.address_label, "lat": card.order.lat, "lon": card.order.lon,
        "building": card.building.name if card.building else None,
        "entrance_note": card.building.entrance_note if card.building else None,
        "promised_at": card.order.promised_at.isoformat(), "minutes_left": card.minutes_left,
        "amount_due_cents": card.amount_due_cents, "code_locked": card.code_locked,
        "items": [{"name": item.name(lang), "quantity": item.quantity} for item in card.items],
    } for card in cards])
