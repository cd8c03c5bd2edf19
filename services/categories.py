"""The store's service categories and their terms: commission, cancellation tiers, notices, the
guarantee (window, damage cap, written terms in both languages). Staff edit them; a store starts
with five (``ensure_default_categories``: the staff's categories page and the demo call it).

The written guarantee says what the code does: jobs paid through the store (the wallet) are covered
for the window after completion; a redo does the same job again; a damage claim pays proven damage
up to the cap; cash jobs are not covered (``claims.file_claim`` refuses them).
"""
from store_app.extensions import db

from .errors import NotFound
from .models import ServiceCategory

# What the store's guarantee never covers, per category: (Chinese, English).
EXCLUSIONS = {
    "cleaning": ("正常磨损；服务前已有的污渍、划痕；未事先告知的贵重或易碎物品；私下另付的项目。",
                 "normal wear; stains and scratches that were there before; valuables or fragile items not "
                 "pointed out beforehand; work paid to the vendor privately."),
    "locksmith": ("门锁本身的质量问题；非本人已核实住址的开锁；因提供虚假身份信息造成的损失；私下另付的项目。",
                  "faults of the lock itself; opening a door that is not the resident's verified address; "
                  "losses caused by false identity details; work paid to the vendor privately."),
    "drains": ("管道老化、破裂；需要开挖或破墙的暗管；完工后新冲入异物造成的堵塞；私下另付的项目。",
              "old or cracked pipes; hidden pipes that need digging or opening a wall; new blockages from "
              "what is flushed after the job; work paid to the vendor privately."),
    "appliance-repair": ("更换的零配件（按厂家保修）；超过使用年限的电器；他人拆修过的电器；私下另付的项目。",
                  "replaced parts (the maker's warranty covers them); appliances past their service life; "
                  "appliances opened by someone else before; work paid to the vendor privately."),
    "moving-help": ("现金、首饰、证件等贵重物品；未打包或包装不当的易碎物品；超出报价的楼层或距离变化；私下另付的项目。",
               "cash, jewellery, documents and other valuables; fragile items not packed or packed poorly; "
               "floors or distances beyond the quote; work paid to the vendor privately."),
}

# slug, name_zh, name_en, commission (basis points), free cancel hours, late cancel %, no-show %,
# notices to book / cancel / reschedule (minutes), guarantee days, damage cap (cents), needs a
# verified address (lockouts), sort order.
CATEGORY_ROWS = [
    ("cleaning", "家政保洁", "Cleaning", 1500, 24, 50, 100, 120, 0, 240, 7, 200_000, False, 10),
    ("locksmith", "开锁换锁", "Locksmith", 1200, 1, 30, 50, 30, 0, 30, 7, 100_000, True, 20),
    ("drains", "管道疏通", "Drain unclogging", 1500, 4, 30, 50, 60, 0, 60, 7, 200_000, False, 30),
    ("appliance-repair", "家电维修", "Appliance repair", 1800, 12, 30, 50, 120, 0, 240, 7, 200_000, False, 40),
    ("moving-help", "搬家帮手", "Moving help", 1500, 48, 50, 100, 1440, 0, 1440, 7, 300_000, False, 50),
]
CATEGORY_FIELDS = ("slug", "name_zh", "name_en", "commission_bps", "free_cancel_h", "late_cancel_pct",
                   "no_show_pct", "book_notice_min", "cancel_notice_min", "reschedule_notice_min",
                   "guarantee_days", "damage_cap_cents", "needs_verified_address", "sort_order")


def guarantee_terms(name_zh, name_en, days, cap_cents, exclusions):
    """The store's written guarantee for one category, ``(Chinese, English)``: which jobs are covered
    (paid through the store), the window, what a redo and a damage claim cover (with the cap) and what
    is excluded."""
    cap = cap_cents // 100
    zh = (f"本店担保：通过本店预约并用钱包付款的{name_zh}订单，完工后 {days} 天内可申请售后；到场付现金的订单不在本店担保之内。\n"
          "返工：同一项目没有做好，免费重新上门把同一项目做好（新增项目不在其内）。\n"
          f"损坏赔付：服务中造成的财物损坏，凭照片与维修单据核实后，按实际损失赔付，每单最高 {cap} 元。\n"
          f"不在保障范围：{exclusions[0]}\n"
          "申请时请附照片，工作人员会在约定期限内答复，并告知处理进度。")
    en = (f"The store's guarantee: {name_en.lower()} jobs booked and paid through the store (from the wallet) "
          f"are covered for {days} days after completion; jobs paid in cash on site are not.\n"
          "Redo: if the job was not done right, the same job is done again free of charge (new work is not "
          "included).\n"
          f"Damage: proven damage caused during the job (photos and a repair bill) is paid up to ¥{cap} per "
          "booking.\n"
          f"Not covered: {exclusions[1]}\n"
          "Attach photos to your claim; staff answer by the deadline shown and keep you informed of its progress.")
    return zh, en


def default_categories():
    """The five default categories as dicts of ``ServiceCategory`` columns, terms included."""
    result = []
    for row in CATEGORY_ROWS:
        spec = dict(zip(CATEGORY_FIELDS, row))
        spec["terms_zh"], spec["terms_en"] = guarantee_terms(spec["name_zh"], spec["name_en"], spec["guarantee_days"],
                                                             spec["damage_cap_cents"], EXCLUSIONS[spec["slug"]])
        result.append(spec)
    return result


def ensure_default_categories(store_id):
    """Give a store the default categories it lacks (by slug): cleaning, locksmith, drain unclogging,
    appliance repair, moving help, with their terms. A category the store has is kept as staff left
    it. Returns how many were added."""
    existing = set(db.session.scalars(db.select(ServiceCategory.slug).where(ServiceCategory.store_id == store_id)))
    missing = [ServiceCategory(store_id=store_id, **spec) for spec in default_categories() if spec["slug"] not in existing]
    db.session.add_all(missing)
    db.session.flush()
    return len(missing)


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
