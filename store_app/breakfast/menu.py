"""The breakfast menu as staff keep it: items added, edited, taken off and put back, their photos.

An item's capacity and offer reach the days not frozen yet: a changed capacity moves the open days'
``DayItem.capacity`` (never below what is taken and held there: refused, naming the dates), a new
or re-activated item is added to the open days it is offered on, and an item taken off keeps the
portions already ordered on open days but takes no more (their capacity drops to what is taken).

Photos live under ``<instance>/uploads/breakfast/`` (``uploads.storage``, re-encoded like product
photos); ``BreakfastItem.picture`` holds either such a stored name or a static picture's path
(``pictures/openmoji/<code>.svg``)."""
import re

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..catalogue import pictures
from ..extensions import db
from ..uploads import storage
from . import errors, rules
from .models import BreakfastDay, BreakfastItem, DayItem, DayStatus
from .settings import get_settings, is_make_up_day

PHOTO_FOLDER = "breakfast"
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}(-[0-9]{2,4}w)?\.(jpg|png|webp)$")
MAX_PRICE_CENTS = 100_000
MAX_CAPACITY = 10_000
# Stock pictures that fit a breakfast (keys of ``catalogue.pictures.PICTURES``); the first is the
# placeholder of an item without a photo or a picture.
PICTURE_KEYS = ("croissant", "milk", "egg", "round-bread", "bread", "baguette", "dumpling", "noodles", "rice",
                "yoghurt", "sausage", "tea", "coffee", "juice", "banana", "apple", "cupcake", "hotpot")
PLACEHOLDER = "croissant"


def _photo_names():
    names = db.session.scalars(db.select(BreakfastItem.picture).where(BreakfastItem.picture != ""))
    return {name for name in names if STORED_NAME_RE.match(name)}


storage.register_folder(PHOTO_FOLDER, _photo_names)


def picture_choices():
    """``[(static path, label)]`` of the stock pictures staff may choose for an item."""
    return [(pictures.picture_file(key), pictures.label(key)) for key in PICTURE_KEYS]


def is_photo(picture):
    return bool(picture) and bool(STORED_NAME_RE.match(picture))


def picture_url(item):
    """Where the item's picture is served: its photo, its stock picture, or the placeholder."""
    picture = item.picture or ""
    if is_photo(picture):
        return url_for("breakfast_console.item_photo", name=picture)
    if picture in {path for path, _label in picture_choices()}:
        return url_for("static", filename=picture)
    return url_for("static", filename=pictures.picture_file(PLACEHOLDER))


def photo_path(name):
    """The file of a stored item photo, or None (not one of ours, or gone)."""
    if not isinstance(name, str) or not STORED_NAME_RE.match(name):
        return None
    path = storage.folder_path(PHOTO_FOLDER) / name
    return path if path.is_file() else None


def list_items(store_id):
    """The store's items, active first, in menu order."""
    return db.session.scalars(db.select(BreakfastItem).where(BreakfastItem.store_id == store_id)
                              .order_by(BreakfastItem.is_active.desc(), BreakfastItem.position,
                                        BreakfastItem.id)).all()


def has_active_items(store_id):
    """Whether the store has a breakfast item on its menu (no menu: no breakfast days to open)."""
    return db.session.scalar(db.select(BreakfastItem.id).where(BreakfastItem.store_id == store_id,
                                                               BreakfastItem.is_active.is_(True)).limit(1)) is not None


def get_item(store_id, item_id):
    """The store's item ``item_id``, else ``ItemNotFound`` (another store's looks like a missing one)."""
    item = db.session.get(BreakfastItem, item_id) if isinstance(item_id, int) and 0 < item_id < 2**31 else None
    if item is None or item.store_id != store_id:
        raise errors.ItemNotFound()
    return item


def weekday_bits(weekdays):
    """The ``BreakfastItem.weekdays`` bits of weekdays 0 (Monday) to 6."""
    return sum(rules.WEEKDAY_BITS[d] for d in set(weekdays) if 0 <= d <= 6)


def _open_days(store_id, now):
    return db.session.scalars(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store_id, BreakfastDay.status == DayStatus.OPEN.value,
        BreakfastDay.order_cutoff_at > now).order_by(BreakfastDay.date)).all()


def _check(name_zh, name_en, price_cents, capacity, allergens):
    if not name_zh and not name_en:
        raise errors.SettingsInvalid("name_zh", _l("Give the item a name in at least one language."))
    if not 0 <= price_cents <= MAX_PRICE_CENTS:
        raise errors.SettingsInvalid("price", _l("Enter a price from ¥0 to ¥%(max)d.", max=MAX_PRICE_CENTS // 100))
    if not 0 <= capacity <= MAX_CAPACITY:
        raise errors.SettingsInvalid("daily_capacity",
                                     _l("Enter a daily capacity from 0 to %(max)d.", max=MAX_CAPACITY))
    try:
        return rules.parse_allergens(allergens)
    except ValueError:
        raise errors.SettingsInvalid("allergens", _l("Choose allergens from the list.")) from None


def save_item(store, now, *, item=None, name_zh, name_en, price_cents, ingredients_zh, ingredients_en,
              allergens, allergens_known, weekdays, daily_capacity, picture=""):
    """Add an item (``item`` None) or change one; the open days follow its capacity and weekdays (see
    the module's note). ``CapacityBelowTaken`` when an open day has more ordered than the new capacity."""
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    codes = _check(name_zh, name_en, price_cents, daily_capacity, allergens)
    if item is None:
        item = BreakfastItem(store_id=store.id, is_active=True, created_at=now, position=0)
        db.session.add(item)
    item.name_zh, item.name_en, item.price_cents = name_zh, name_en, price_cents
    item.ingredients_zh, item.ingredients_en = (ingredients_zh or "").strip(), (ingredients_en or "").strip()
    item.allergens, item.allergens_known = ",".join(codes), bool(allergens_known)
    item.weekdays, item.daily_capacity = weekday_bits(weekdays), daily_capacity
    if picture is not None and not is_photo(item.picture):
        item.picture = picture
    db.session.flush()
    if item.is_active:
        set_open_capacity(store.id, item, daily_capacity, now)
        add_to_open_days(store, item, now)
    return item


def set_open_capacity(store_id, item, capacity, now):
    """Move the item's capacity on every open day to ``capacity``; refused (nothing changed) where
    more is already taken and held. One guarded UPDATE: a portion taken meanwhile makes it refuse."""
    day_ids = [day.id for day in _open_days(store_id, now)]
    if not day_ids:
        return
    over = db.session.execute(
        db.select(BreakfastDay.date, DayItem.taken + DayItem.held).join(BreakfastDay, BreakfastDay.id == DayItem.day_id)
        .where(DayItem.item_id == item.id, DayItem.day_id.in_(day_ids), DayItem.taken + DayItem.held > capacity)
        .order_by(BreakfastDay.date)).all()
    if over:
        raise errors.CapacityBelowTaken([row[0] for row in over], max(row[1] for row in over))
    expected = db.session.scalar(db.select(db.func.count()).where(DayItem.item_id == item.id,
                                                                  DayItem.day_id.in_(day_ids)))
    moved = db.session.execute(
        db.update(DayItem).where(DayItem.item_id == item.id, DayItem.day_id.in_(day_ids),
                                 DayItem.taken + DayItem.held <= capacity)
        .values(capacity=capacity).execution_options(synchronize_session=False)).rowcount
    if moved != expected:
        raise errors.CapacityBelowTaken([], capacity + 1)


def add_to_open_days(store, item, now):
    """Give the item its portions on the open days it is offered on and does not have yet."""
    have = set(db.session.scalars(db.select(DayItem.day_id).where(DayItem.item_id == item.id)))
    calendar = None
    for day in _open_days(store.id, now):
        if day.id in have:
            continue
        if calendar is None:
            calendar = get_settings(store.id).calendar
        if rules.offered_on(item.weekdays, day.date, is_make_up_day(day.date, calendar)):
            db.session.add(DayItem(day_id=day.id, item_id=item.id, capacity=item.daily_capacity, taken=0, held=0))
    db.session.flush()


def set_item_active(store, item_id, active, now):
    """Take an item off the menu (no new days; open days keep what is ordered and take no more) or
    put it back (its open days get their capacity again)."""
    item = get_item(store.id, item_id)
    item.is_active = bool(active)
    db.session.flush()
    day_ids = [day.id for day in _open_days(store.id, now)]
    if active:
        if day_ids:
            used = DayItem.taken + DayItem.held
            db.session.execute(db.update(DayItem).where(DayItem.item_id == item.id, DayItem.day_id.in_(day_ids))
                               .values(capacity=db.case((used > item.daily_capacity, used),
                                                        else_=item.daily_capacity))
                               .execution_options(synchronize_session=False))
        add_to_open_days(store, item, now)
    elif day_ids:
        db.session.execute(db.update(DayItem).where(DayItem.item_id == item.id, DayItem.day_id.in_(day_ids))
                           .values(capacity=DayItem.taken + DayItem.held)
                           .execution_options(synchronize_session=False))
    return item


def set_item_photo(item, photo):
    """Give the item a new photo (a re-encoded ``uploads.photos.Photo``) or none (None); files are
    written, and the old one deleted, only when the transaction commits."""
    if is_photo(item.picture):
        storage.discard(PHOTO_FOLDER, item.picture)
        item.picture = ""
    if photo is not None:
        item.picture = storage.keep(PHOTO_FOLDER, photo.data, photo.extension)
    db.session.flush()
