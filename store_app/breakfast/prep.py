"""The kitchen's prep sheet of a frozen day: totals per item and one label per cooked order, as
versions (1 at the freeze, one more for every staff change after it, with what changed).

``PrepSheet.content`` is plain JSON, names in both languages (shown in the reader's language):

    {"date": "2025-11-11",
     "totals": [{"item_id", "name_zh", "name_en", "quantity"}],
     "labels": [{"order_id", "child", "class_name", "school", "allergies": [codes],
                 "items": [{"item_id", "name_zh", "name_en", "quantity", "ingredients_zh", "ingredients_en",
                            "allergens": [codes], "allergens_known"}]}]}

``PrepSheet.changes`` lists ``{"kind": "added"|"removed"|"changed", "order_id", "child", "class_name"}``
for labels and ``{"kind": "total", "item_id", "name_zh", "name_en", "before", "after"}`` for totals.
"""
from ..extensions import db
from .models import COOKED, BreakfastItem, BreakfastOrder, BreakfastOrderLine, Child, PrepSheet


def build_content(day):
    """The sheet's content for the day as it is now: three queries (orders with their children, their
    lines, the items those lines name)."""
    orders = db.session.execute(
        db.select(BreakfastOrder.id, Child.name, Child.class_name, Child.school, Child.allergies)
        .join(Child, Child.id == BreakfastOrder.child_id)
        .where(BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(COOKED))).all()
    lines = db.session.execute(
        db.select(BreakfastOrderLine.order_id, BreakfastOrderLine.item_id, BreakfastOrderLine.quantity)
        .join(BreakfastOrder, BreakfastOrder.id == BreakfastOrderLine.order_id)
        .where(BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(COOKED))).all()
    item_ids = {item_id for _order, item_id, _quantity in lines}
    items = {item.id: item for item in db.session.scalars(
        db.select(BreakfastItem).where(BreakfastItem.id.in_(item_ids)))} if item_ids else {}
    rank = {item_id: (item.position, item_id) for item_id, item in items.items()}
    shown = {item_id: {"item_id": item_id, "name_zh": item.name_zh, "name_en": item.name_en,
                       "ingredients_zh": item.ingredients_zh, "ingredients_en": item.ingredients_en,
                       "allergens": sorted(item.allergen_codes()), "allergens_known": item.allergens_known}
             for item_id, item in items.items()}
    by_order, totals = {}, {}
    for order_id, item_id, quantity in sorted(lines, key=lambda line: (line[0], rank[line[1]])):
        totals[item_id] = totals.get(item_id, 0) + quantity
        by_order.setdefault(order_id, []).append({**shown[item_id], "quantity": quantity})
    labels = [{"order_id": order_id, "child": name, "class_name": class_name, "school": school,
               "allergies": sorted(code for code in allergies.split(",") if code),
               "items": by_order.get(order_id, [])}
              for order_id, name, class_name, school, allergies in orders]
    labels.sort(key=lambda label: (label["school"], label["class_name"], label["child"], label["order_id"]))
    return {"date": day.date.isoformat(),
            "totals": [{"item_id": item_id, "name_zh": items[item_id].name_zh, "name_en": items[item_id].name_en,
                        "quantity": totals[item_id]} for item_id in sorted(totals, key=rank.get)],
            "labels": labels}


def _label_items(label):
    return sorted((item["item_id"], item["quantity"]) for item in label["items"])


def diff(before, after):
    """What changed from ``before`` to ``after`` (two contents): labels added, removed or changed, then
    totals that moved."""
    old = {label["order_id"]: label for label in before["labels"]}
    new = {label["order_id"]: label for label in after["labels"]}
    changes = []
    for order_id in sorted(old.keys() | new.keys()):
        label = new.get(order_id) or old[order_id]
        kind = ("added" if order_id not in old else "removed" if order_id not in new
                else "changed" if _label_items(old[order_id]) != _label_items(new[order_id]) else None)
        if kind:
            changes.append({"kind": kind, "order_id": order_id, "child": label["child"],
                            "class_name": label["class_name"]})
    old_totals = {t["item_id"]: t for t in before["totals"]}
    new_totals = {t["item_id"]: t for t in after["totals"]}
    for item_id in sorted(old_totals.keys() | new_totals.keys()):
        was = old_totals.get(item_id, {}).get("quantity", 0)
        now = new_totals.get(item_id, {}).get("quantity", 0)
        if was != now:
            names = new_totals.get(item_id) or old_totals[item_id]
            changes.append({"kind": "total", "item_id": item_id, "name_zh": names["name_zh"],
                            "name_en": names["name_en"], "before": was, "after": now})
    return changes


def latest_sheet(day_id):
    return db.session.scalar(db.select(PrepSheet).where(PrepSheet.day_id == day_id)
                             .order_by(PrepSheet.version.desc()).limit(1))


def get_sheet(day_id, version=None):
    """The day's sheet of ``version`` (the latest without one), or None."""
    if version is None:
        return latest_sheet(day_id)
    return db.session.scalar(db.select(PrepSheet).where(PrepSheet.day_id == day_id, PrepSheet.version == version))


def list_versions(day_id):
    return db.session.execute(db.select(PrepSheet.version, PrepSheet.created_at, PrepSheet.reason)
                              .where(PrepSheet.day_id == day_id).order_by(PrepSheet.version)).all()


def issue_sheet(day, now, *, reason="", staff_id=None):
    """A new version of the day's sheet (1 if it has none) from the day's orders now, with its
    differences from the previous one. A unique (day, version) keeps two writers from both issuing
    the same version: the loser's transaction fails and is retried by its caller."""
    previous = latest_sheet(day.id)
    content = build_content(day)
    changes = diff(previous.content, content) if previous is not None else []
    sheet = PrepSheet(day_id=day.id, version=(previous.version + 1) if previous else 1, content=content,
                      changes=changes, reason=reason, created_by=staff_id, created_at=now, sent_to=0)
    db.session.add(sheet)
    db.session.flush()
    return sheet
