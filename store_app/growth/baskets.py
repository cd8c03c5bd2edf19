"""What a checkout (or a past purchase, replayed) looks like to the pricing rules: plain values."""
from dataclasses import dataclass, field
from enum import StrEnum


class Line(StrEnum):
    DELIVERY = "delivery"          # goods brought to the door within the promise
    PICKUP = "pickup"              # goods collected at the store's counter
    BREAKFAST = "breakfast"        # a breakfast preorder (by hand or from a subscription)
    SERVICES = "services"          # a booking on the service marketplace
    PARCEL_DOOR = "parcel_door"    # parcels from the station brought to the door (a fee, no goods)


@dataclass(frozen=True)
class BasketLine:
    """One kind of item in a basket, at the price the resident is shown."""

    product_id: int | None
    unit_cents: int
    quantity: int
    category_id: int | None = None
    merchant_id: int | None = None
    cost_cents: int | None = None      # what one unit costs the store, when known (margin check)

    @property
    def line_cents(self):
        return self.unit_cents * self.quantity


@dataclass(frozen=True)
class Basket:
    """A checkout on one line: its goods (or service) lines and its delivery fee."""

    line: str
    lines: tuple = field(default_factory=tuple)   # BasketLine, ...
    fee_cents: int = 0

    @property
    def goods_cents(self):
        return sum(item.line_cents for item in self.lines)

    @property
    def item_count(self):
        return sum(item.quantity for item in self.lines)

    def to_json(self):
        """The basket as plain lists, to keep on a ``Purchase`` (and replay in a dry run)."""
        return {"line": self.line, "fee_cents": self.fee_cents,
                "lines": [[i.product_id, i.unit_cents, i.quantity, i.category_id, i.merchant_id, i.cost_cents]
                          for i in self.lines]}

    @classmethod
    def from_json(cls, data):
        """The basket ``to_json`` kept."""
        return cls(line=data["line"], fee_cents=int(data.get("fee_cents") or 0),
                   lines=tuple(BasketLine(p, u, q, c, m, cost) for p, u, q, c, m, cost in data.get("lines") or ()))
