"""MDRP instances (Grubhub "mdrplib"): load a directory of TAB-separated files, write one back.

Times are minutes since the start of the day, coordinates metres (plain Euclidean geometry), travel
minutes ``ceil(metres / meters_per_minute)``. A task is promised at placement + the target click-to-door.
"""
import csv
import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import Params, Point, Task

DATA_ENV = "MDRPLIB_DIR"
INSTANCE_FILES = ("orders.txt", "couriers.txt", "restaurants.txt", "instance_parameters.txt")


@dataclass(frozen=True, slots=True)
class Order:
    """An order: drop-off point, placement and ready times (minutes), the restaurant that cooks it."""

    id: str
    dropoff: Point
    placed_at_min: float
    restaurant: str
    ready_at_min: float


@dataclass(frozen=True, slots=True)
class CourierShift:
    """A courier's shift: where it starts (its on-location) and when it is on and off (minutes)."""

    id: str
    position: Point
    on_at_min: float
    off_at_min: float


@dataclass(frozen=True, slots=True)
class InstanceParams:
    """The instance's ``instance_parameters.txt``: speed, service minutes, click-to-door targets, pay."""

    meters_per_minute: float
    pickup_service_min: float
    dropoff_service_min: float
    target_min: float
    max_min: float
    pay_per_order: float
    pay_per_hour: float


@dataclass(frozen=True)
class Instance:
    """One day: restaurants (id -> point), orders and courier shifts in file order, parameters."""

    name: str
    restaurants: dict[str, Point]
    orders: tuple[Order, ...]
    couriers: tuple[CourierShift, ...]
    params: InstanceParams


def default_data_root(repo_root: Path) -> Path:
    """Where the mdrplib instances live: ``$MDRPLIB_DIR``, else ``<repo>/../shared/benchmarks/mdrplib``."""
    configured = os.environ.get(DATA_ENV)
    return Path(configured) if configured else (Path(repo_root) / ".." / "shared" / "benchmarks" / "mdrplib")


def resolve_instance_dir(name_or_path: str | Path, data_root: Path) -> Path:
    """An instance directory given as a path, or as an instance name under ``data_root``."""
    path = Path(name_or_path)
    if (path / "orders.txt").is_file():
        return path
    candidate = Path(data_root) / str(name_or_path)
    if (candidate / "orders.txt").is_file():
        return candidate
    raise FileNotFoundError(f"no MDRP instance at {path} or {candidate}")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def load_instance(directory: str | Path) -> Instance:
    """Read an instance directory (``orders.txt``, ``couriers.txt``, ``restaurants.txt``, parameters)."""
    directory = Path(directory)
    missing = [name for name in INSTANCE_FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{directory}: missing {', '.join(missing)}")
    restaurants = {r["restaurant"]: Point(_number(r["x"]), _number(r["y"]))
                   for r in _rows(directory / "restaurants.txt")}
    orders = tuple(Order(r["order"], Point(_number(r["x"]), _number(r["y"])), _number(r["placement_time"]),
                         r["restaurant"], _number(r["ready_time"])) for r in _rows(directory / "orders.txt"))
    couriers = tuple(CourierShift(r["courier"], Point(_number(r["x"]), _number(r["y"])),
                                  _number(r["on_time"]), _number(r["off_time"]))
                     for r in _rows(directory / "couriers.txt"))
    with open(directory / "instance_parameters.txt", encoding="utf-8") as handle:
        values = [_number(v) for v in handle.read().splitlines()[1].split("\t")]
    return Instance(directory.name, restaurants, orders, couriers, InstanceParams(*values[:7]))


def write_instance(instance: Instance, directory: str | Path) -> None:
    """Write ``instance`` in the MDRP file format (TAB-separated, header first) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    p = instance.params
    tables = {
        "restaurants.txt": (["restaurant", "x", "y"],
                            [[rid, pt.x_m, pt.y_m] for rid, pt in instance.restaurants.items()]),
        "orders.txt": (["order", "x", "y", "placement_time", "restaurant", "ready_time"],
                       [[o.id, o.dropoff.x_m, o.dropoff.y_m, o.placed_at_min, o.restaurant, o.ready_at_min]
                        for o in instance.orders]),
        "couriers.txt": (["courier", "x", "y", "on_time", "off_time"],
                         [[c.id, c.position.x_m, c.position.y_m, c.on_at_min, c.off_at_min]
                          for c in instance.couriers]),
        "instance_parameters.txt": (
            ["meters_per_minute", "pickup service minutes", "dropoff service minutes", "target click-to-door",
             "maximum click-to-door", "pay per order", "guaranteed pay per hour"],
            [[p.meters_per_minute, p.pickup_service_min, p.dropoff_service_min, p.target_min, p.max_min,
              p.pay_per_order, p.pay_per_hour]]),
    }
    for name, (header, rows) in tables.items():
        lines = ["\t".join(header)] + ["\t".join(_text(v) for v in row) for row in rows]
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def planner_params(params: InstanceParams, **overrides) -> Params:
    """Planner parameters for an instance: its speed (travel rounded up to whole minutes), service
    minutes and click-to-door targets, plus any ``overrides``."""
    base = Params(speed_m_per_min=float(params.meters_per_minute), detour_factor=1.0, round_travel_up=True,
                  pickup_service_min=float(params.pickup_service_min),
                  dropoff_service_min=float(params.dropoff_service_min),
                  target_min=float(params.target_min), max_min=float(params.max_min))
    return replace(base, **overrides)


def tasks_of(instance: Instance) -> tuple[Task, ...]:
    """One task per order, promised at placement + the target click-to-door, in placement order."""
    target = instance.params.target_min
    tasks = (Task(o.id, instance.restaurants[o.restaurant], o.dropoff, float(o.placed_at_min),
                  float(o.ready_at_min), float(o.placed_at_min + target), o.restaurant)
             for o in instance.orders)
    return tuple(sorted(tasks, key=lambda t: (t.placed_at_min, t.id)))


def courier_hours(instance: Instance) -> float:
    """The day's total shift hours."""
    return sum(c.off_at_min - c.on_at_min for c in instance.couriers) / 60.0
