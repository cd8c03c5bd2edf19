"""The store's service categories and their terms: commission, cancellation tiers, notices, the
guarantee (window, damage cap, written terms in both languages). Staff edit them; a store starts
with five (``ensure_default_categories``: the staff page and the demo call it).
"""
from dataclasses import dataclass

from store_app.extensions import db

from .errors import NotFound
from .models import ServiceCategory

_COVERS_ZH = ("保障范围：通过本店下单并付款的{job}服务。完工后{days}天内可申请保障。"
              "返工：同一项服务如不达标，由原服务方免费重做一次。"
              "损坏赔偿：服务中造成且有凭证（照片、现场确认）的财物损坏，最高赔付{cap}元。"
              "不在保障内：未经本店付款的服务、住户自备材料的质量问题、正常损耗、{extra}")
_COVERS_EN = ("Covered: {job} jobs booked and paid through the store. Ask within {days} days of completion. "
              "A redo covers doing the same job again for free when it was not done right. "
              "A damage claim covers proven damage caused during the job (photos, confirmed on site), up to "
              "¥{cap}. Not covered: work not paid through the store, materials the resident supplied, normal "
              "wear, {extra}")


@dataclass(frozen=True)
class DefaultCategory:
    slug: str
    name_zh: str
    name_en: str
    job_zh: str
    job_en: str
    extra_zh: str
    extra_en: str
    commission_bps: int = 1500
    book_notice_min: int = 120
    damage_cap_cents: int = 200_000
    needs_verified_address: bool = False


DEFAULTS = (
    DefaultCategory("cleaning", "家政保洁", "Cleaning", "保洁", "cleaning",
                    "家具内部的陈年污渍。", "stains older than the job inside furniture."),
    DefaultCategory("locksmith", "开锁换锁", "Locksmith", "开锁换锁", "locksmith",
                    "门体本身的损坏及未经核实地址的开锁。", "damage to the door itself, and any opening at an "
                    "address not verified on the resident's account.",
                    commission_bps=1200, book_notice_min=30, damage_cap_cents=100_000, needs_verified_address=True),
    DefaultCategory("drains", "管道疏通", "Drain unclogging", "管道疏通", "drain unclogging",
                    "楼内公共主管道的堵塞。", "blockages in the building's shared main pipes.", book_notice_min=60),
    DefaultCategory("appliance-repair", "家电维修", "Appliance repair", "家电维修", "appliance repair",
                    "更换的零件本身的厂家质量问题。", "manufacturer faults of replaced parts.", commission_bps=1800),
    DefaultCategory("moving-help", "搬家帮手", "Moving help", "搬家", "moving help",
                    "住户自行打包的物品在箱内的损坏。", "damage inside boxes the resident packed.",
                    commission_bps=1500, book_notice_min=24 * 60, damage_cap_cents=300_000),
)


def _terms(default, days, cap_cents):
    cap = cap_cents // 100
    return (_COVERS_ZH.format(job=default.job_zh, days=days, cap=cap, extra=default.extra_zh),
            _COVERS_EN.format(job=default.job_en, days=days, cap=cap, extra=default.extra_en))


def ensure_default_categories(store_id):
    """Give a store without categories the five defaults (cleaning, locksmith, drain unclogging,
    appliance repair, moving help) with their guarantee terms; returns how many were added (0 when
    the store has any category already)."""
    if db.session.scalar(db.select(ServiceCategory.id).where(ServiceCategory.store_id == store_id).limit(1)):
        return 0
    for order, default in enumerate(DEFAULTS):
        terms_zh, terms_en = _terms(default, 7, default.damage_cap_cents)
        db.session.add(ServiceCategory(
            store_id=store_id, slug=default.slug, name_zh=default.name_zh, name_en=default.name_en,
            commission_bps=default.commission_bps, book_notice_min=default.book_notice_min,
            guarantee_days=7, damage_cap_cents=default.damage_cap_cents, terms_zh=terms_zh, terms_en=terms_en,
            needs_verified_address=default.needs_verified_address, sort_order=order))
    db.session.flush()
    return len(DEFAULTS)


def list_categories(store_id):
    """Every category of the store (active or not), in their order."""
    return db.session.scalars(db.select(ServiceCategory).where(ServiceCategory.store_id == store_id)
                              .order_by(ServiceCategory.sort_order, ServiceCategory.id)).all()


def get_category(store_id, category_id):
    """The store's category with this id; ``NotFound`` otherwise."""
    category = db.session.get(ServiceCategory, category_id)
    if category is None or category.store_id != store_id:
        raise NotFound()
    return category


EDITABLE = ("name_zh", "name_en", "commission_bps", "free_cancel_h", "late_cancel_pct", "no_show_pct",
            "book_notice_min", "cancel_notice_min", "reschedule_notice_min", "guarantee_days", "damage_cap_cents",
            "terms_zh", "terms_en", "needs_verified_address", "is_active")


def update_category(store_id, category_id, values):
    """Change a category's terms; ``values`` holds the ``EDITABLE`` fields (checked by the form)."""
    category = get_category(store_id, category_id)
    for name in EDITABLE:
        if name in values:
            setattr(category, name, values[name])
    db.session.flush()
    return category
