"""What the demo community's service marketplace is made of: six vetted vendors with their crews,
offerings and weekly availability; and the stories of the last month (who booked whom, what they
said). Deterministic: the same demo on every machine.

The five categories are the marketplace's own defaults (``services.categories``).
"""
from . import data

# ---- vendors ---------------------------------------------------------------------------------

# Vendor logins continue the demo's staff numbers; crew members' own logins follow them.
VENDOR_PHONES = [f"+86138001380{n}" for n in range(20, 26)]
CREW_PHONES = [f"+86138001380{n}" for n in range(30, 37)]

# Offerings: (category slug, title_zh, title_en, description_zh, description_en, duration_min,
# buffer before, buffer after, price model, price_cents: per hour for "hourly", the start for "from").
# Crews: (label as the vendor typed it, crew login index in CREW_PHONES or None, name, name_en).
# Availability: (RRULE BYDAY, from, to (minutes after local midnight), crews).
VENDORS = [
    {
        "key": "hujie", "kind": "company", "name": "沪洁家政服务有限公司", "owner": ("陈丽华", "Chen Lihua"),
        "licence_number": "91310104MA1FP3K20G", "categories": ["cleaning"], "zones": [0, 1],
        "min_notice_min": 120, "score": 0.86,
        "crews": [("一组 陈阿姨", None, "", ""), ("二组 刘姐", 0, "刘美玲", "Liu Meiling"),
                  ("三组 黄阿姨", 1, "黄秀英", "Huang Xiuying")],
        "availability": [("MO,TU,WE,TH,FR,SA,SU", 8 * 60, 18 * 60, 3)],
        "offerings": [
            ("cleaning", "日常保洁（按小时）", "Regular cleaning (by the hour)",
             "擦拭家具、厨房台面、卫生间、拖地吸尘，自带清洁工具和环保清洁剂。按预约时长计费，三小时起。",
             "Dusting, kitchen counters, bathroom, mopping and vacuuming, with our own tools and eco-friendly "
             "products. Charged by the booked hours, three hours at least.", 180, 15, 30, "hourly", 5_000),
            ("cleaning", "深度保洁（两室一厅）", "Deep cleaning (two bedrooms)",
             "厨房油污、卫生间水垢、窗户玻璃、柜子内外一次做透，两位阿姨上门。",
             "Kitchen grease, bathroom limescale, windows, cupboards inside and out, done thoroughly by two "
             "cleaners.", 300, 30, 30, "fixed", 48_000),
            ("cleaning", "搬家后开荒保洁", "Move-in cleaning after a move",
             "新房入住前的全面清洁，面积和污染程度现场确认后报价。",
             "A full clean before you move in; the price is confirmed on site by area and how dirty it is.",
             360, 30, 30, "from", 80_000),
        ],
    },
    {
        "key": "anju", "kind": "company", "name": "安居开锁服务部", "owner": ("马建军", "Ma Jianjun"),
        "licence_number": "92310104MA1H7C4Q3J", "categories": ["locksmith"], "zones": [0],
        "min_notice_min": 30, "score": 0.81,
        "crews": [("马师傅", None, "", ""), ("小杨", 2, "杨帆", "Yang Fan")],
        "availability": [("MO,TU,WE,TH,FR,SA,SU", 7 * 60, 23 * 60, 2)],
        "offerings": [
            ("locksmith", "紧急开锁（已核实住址）", "Lockout: open the door (verified address)",
             "钥匙丢了或反锁在门外，师傅上门开门。开门前当面核对身份证与住址，仅限账户中已核实的住址。",
             "Locked out or lost your keys: we come and open the door. Your ID and address are checked at "
             "the door first; only for an address verified on your account.", 45, 15, 15, "fixed", 15_000),
            ("locksmith", "更换C级锁芯", "Replace the lock cylinder (grade C)",
             "含C级防盗锁芯一只与三把钥匙；锁体需更换时现场报价，经您在应用中同意后再收费。",
             "A grade C security cylinder with three keys included; if the lock body must be replaced too, "
             "it is quoted on site and charged only after you approve it in the app.", 60, 15, 15, "from", 28_000),
        ],
    },
    {
        "key": "laozhou", "kind": "individual", "name": "老周管道疏通", "owner": ("周建国", "Zhou Jianguo"),
        "id_number": "340121197208151236", "categories": ["drains"], "zones": [0, 1],
        "min_notice_min": 60, "score": 0.83,
        "crews": [("周师傅", None, "", ""), ("徒弟小吴", 3, "吴磊", "Wu Lei")],
        "availability": [("MO,TU,WE,TH,FR,SA", 8 * 60, 20 * 60, 2)],
        "offerings": [
            ("drains", "马桶疏通", "Toilet unclogging",
             "机器疏通，不通不收费；疏通后演示冲水三次。",
             "Cleared by machine, no charge if it stays blocked; we flush three times with you after.",
             60, 15, 15, "fixed", 12_000),
            ("drains", "厨房下水道疏通", "Kitchen drain unclogging",
             "油污堵塞高压清洗；需要拆换存水弯时现场报价。",
             "Grease blockages cleared by high-pressure jet; replacing the trap is quoted on site.",
             90, 15, 30, "from", 15_000),
        ],
    },
    {
        "key": "kuaixiu", "kind": "company", "name": "徐汇快修家电维修有限公司", "owner": ("钱卫东", "Qian Weidong"),
        "licence_number": "91310104MA1G5N8T1E", "categories": ["appliance-repair"], "zones": [0, 1],
        "min_notice_min": 240, "score": 0.8,
        "crews": [("空调组 钱师傅", None, "", ""), ("洗衣机冰箱组 孙工", 4, "孙志强", "Sun Zhiqiang")],
        "availability": [("MO,TU,WE,TH,FR,SA", 9 * 60, 18 * 60, 2)],
        "offerings": [
            ("appliance-repair", "挂式空调清洗", "Wall air conditioner cleaning",
             "拆洗滤网、高温蒸汽清洗蒸发器，清洗后测试制冷。",
             "Filters washed, the evaporator steam-cleaned, cooling tested afterwards.", 90, 15, 15, "fixed", 16_000),
            ("appliance-repair", "洗衣机上门检测维修", "Washing machine repair visit",
             "上门检测费起步价；更换零件现场报价，经您同意后再修。",
             "The call-out and diagnosis; parts are quoted on site and fitted only once you agree.",
             60, 15, 15, "from", 8_000),
            ("appliance-repair", "冰箱不制冷检修", "Fridge not cooling: repair visit",
             "检测压缩机、温控器与冷媒；加冷媒或换件现场报价。",
             "Compressor, thermostat and refrigerant checked; a refill or parts are quoted on site.",
             90, 15, 15, "from", 10_000),
        ],
    },
    {
        "key": "linbang", "kind": "company", "name": "邻帮搬家服务有限公司", "owner": ("赵大勇", "Zhao Dayong"),
        "licence_number": "91310104MA1K2W6DX8", "categories": ["moving-help"], "zones": [0, 1],
        "min_notice_min": 1440, "score": 0.84,
        "crews": [("一车 赵师傅", None, "", ""), ("二车 何师傅", 5, "何永平", "He Yongping"), ("三车 李师傅", None, "", "")],
        "availability": [("SA,SU", 8 * 60, 18 * 60, 3), ("MO,TU,WE,TH,FR", 9 * 60, 17 * 60, 2)],
        "offerings": [
            ("moving-help", "小件搬运（两人，按小时）", "Small move: two movers (by the hour)",
             "两位师傅搬运家具、纸箱，小区内或附近小区之间，不含车辆。",
             "Two movers carry furniture and boxes within the estate or to a nearby one; no van.",
             180, 30, 30, "hourly", 12_000),
            ("moving-help", "一室一厅搬家（含厢式货车）", "One-bedroom move with a van",
             "含一辆厢式货车、三位师傅、十公里内；电梯房，步梯每层另计。",
             "A van, three movers, up to 10 km; lift buildings (stairs are charged per floor).",
             300, 30, 60, "fixed", 90_000),
        ],
    },
    {
        "key": "haobangshou", "kind": "company", "name": "好帮手家政服务部", "owner": ("韩春梅", "Han Chunmei"),
        "licence_number": "92310104MA1LT9B350", "categories": ["cleaning"], "zones": [0],
        "min_notice_min": 120, "score": 0.55,
        "crews": [("韩阿姨", None, "", ""), ("小邓", 6, "邓小红", "Deng Xiaohong")],
        "availability": [("MO,TU,WE,TH,FR", 9 * 60, 17 * 60, 2)],
        "offerings": [
            ("cleaning", "日常保洁（两小时）", "Regular cleaning (two hours)",
             "客厅、卧室、厨房、卫生间日常清洁，自带工具。",
             "Everyday cleaning of the living room, bedrooms, kitchen and bathroom, with our own tools.",
             120, 15, 15, "hourly", 4_000),
            ("cleaning", "厨房深度清洁", "Kitchen deep clean",
             "油烟机、灶台、瓷砖油污清洗。", "Cooker hood, hob and tiled walls degreased.", 180, 15, 15, "fixed", 30_000),
        ],
    },
]
def vendor_logins():
    """``(owners, crew members)``: each a list of ``(phone, name, name_en)``, the vendors' order."""
    owners = [(phone, *spec["owner"]) for phone, spec in zip(VENDOR_PHONES, VENDORS)]
    crew = [(CREW_PHONES[index], name, name_en) for spec in VENDORS for _label, index, name, name_en in spec["crews"]
            if index is not None]
    return owners, crew


PROBATION_VENDOR = "haobangshou"
PROBATION_DAYS = 14
MIN_RATING, MIN_REVIEWS = 4.0, 10  # the standing rule the probation vendor crossed

# ---- the last month --------------------------------------------------------------------------

# The stars each vendor's past jobs were given, oldest first (None: completed, not reviewed). The
# probation vendor's reviews average under MIN_RATING over more than MIN_REVIEWS.
PAST_JOBS = {
    "hujie": [5, 5, 4, 5, None, 5, 4, 5, 5, None, 4, 5, 5, 3],
    "anju": [5, 4, 5, None, 5, 5, 4],
    "laozhou": [5, 5, 4, 5, 5, None, 3, 5, 4],
    "kuaixiu": [4, 5, 3, 4, None, 5, 4, 2, 5],
    "linbang": [5, 4, 5, None, 5],
    "haobangshou": [4, 3, 2, 4, 3, 5, 2, 3, 4, 3, 2, 4],
}
LOCAL_STARTS = [(9, 0), (13, 30), (10, 0), (15, 0), (8, 30), (14, 0)]  # local start times, in turn
CASH_EVERY = 4  # about one past job in four was paid in cash on site

# Review texts by category and stars (as residents wrote them: in Chinese).
REVIEW_TEXTS = {
    ("cleaning", 5): ["阿姨非常细心，厨房油污都擦干净了，下次还约她。", "准时到，工具带得很齐，卫生间像新的一样。",
                      "干活利索，不用我多交代，家里老人也很满意。"],
    ("cleaning", 4): ["整体不错，就是阳台没来得及擦。", "打扫得挺干净，稍微晚到了十分钟。"],
    ("cleaning", 3): ["一般吧，地面还行，柜子顶上没擦。", "时间到了就走，卫生间镜子还有水印。"],
    ("cleaning", 2): ["迟到了半小时也没打电话，厨房基本没动。", "说好的项目做了一半，沟通也不太顺畅。"],
    ("locksmith", 5): ["半小时就到了，先核对了身份证才开门，很专业。", "换锁芯很快，还教我怎么用新钥匙。"],
    ("locksmith", 4): ["开锁顺利，就是等了一会儿。"],
    ("drains", 5): ["周师傅很靠谱，十分钟就通了，还帮忙清理了现场。", "不通不收费，说到做到，推荐。"],
    ("drains", 4): ["通了，就是机器声音有点大，邻居来问了。"],
    ("drains", 3): ["通是通了，地上留了点水渍。"],
    ("appliance-repair", 5): ["空调洗完出风明显干净了，师傅还检查了外机。", "洗衣机的问题当场就找到了，收费透明。"],
    ("appliance-repair", 4): ["修好了，配件价格事先说清楚了。", "师傅技术不错，预约时间稍微往后推了一点。"],
    ("appliance-repair", 3): ["冰箱修好了，但跑了两趟才配到零件。"],
    ("appliance-repair", 2): ["检测费收了，问题没解决，只让我换新的。"],
    ("moving-help", 5): ["三位师傅很卖力，家具都包好了，一点没磕碰。", "搬得快，价格和说好的一样，没有乱加钱。"],
    ("moving-help", 4): ["总体满意，就是楼道里留了些纸屑。"],
}
# A vendor's one reply, by (vendor key, past job index).
REPLIES = {
    ("hujie", 13): "感谢反馈，柜子顶部已安排下次免费补做，请您在应用里约时间。",
    ("kuaixiu", 7): "很抱歉没能修好，检测费已为您申请退回，欢迎再给我们一次机会。",
    ("haobangshou", 2): "抱歉那天路上堵车，以后会提前出门并及时联系您。",
}
# The complaint under the guarantee that led to a free redo: (vendor key, past job index, text).
REDO_CLAIM = ("haobangshou", 6, "卫生间和厨房没有打扫，地上还有头发，照片已上传。按保障条款申请返工。")
REDO_DECISION = "照片显示卫生间、厨房未清洁，属于同一项目未完成，安排原服务方免费返工。"

# Other endings of the month: (vendor key, offering index, days ago, local start, what happened,
# hours before the start it was called off).
ENDINGS = [
    ("hujie", 1, 12, (14, 0), "late_cancel", 10),   # within 24 h: half the price kept as a fee
    ("kuaixiu", 0, 9, (10, 0), "late_cancel", 6),   # within 12 h: 30 %
    ("linbang", 1, 20, (9, 0), "free_cancel", 72),  # three days before: free
    ("laozhou", 0, 6, (18, 0), "no_show", 0),       # nobody at the door: the no-show fee
    ("haobangshou", 0, 3, (9, 0), "vendor_no_show", 0),  # the vendor never came: full refund
]
REBOOKING_NOTE = "原约的服务方没有上门，本店按原价改派。"
CANCEL_REASONS = {"late_cancel": "临时有事，家里没人", "free_cancel": "搬家日期推迟了"}

# Coming jobs: (vendor key, offering index, days ahead, local start, status, crew index).
COMING = [
    ("hujie", 0, 1, (9, 0), "requested", 0),     # waiting for the vendor's answer
    ("laozhou", 1, 2, (10, 0), "requested", 0),
    ("anju", 1, 1, (10, 0), "accepted", 0),      # accepted for tomorrow
    ("kuaixiu", 0, 1, (14, 0), "accepted", 1),
]

# Residents who book (indexes into data.RESIDENTS): the last one is left out (the breakfast demo's
# resident whose wallet ran dry).
BOOKING_RESIDENTS = list(range(len(data.RESIDENTS) - 1))


def resident_for(vendor_index, job_index):
    """Which demo resident booked a vendor's ``job_index``-th job (an index into ``BOOKING_RESIDENTS``)."""
    return BOOKING_RESIDENTS[(job_index * 7 + vendor_index * 3) % len(BOOKING_RESIDENTS)]

# What residents wrote when they booked, by category.
DESCRIPTIONS = {
    "cleaning": ["两室一厅，重点是厨房和卫生间。", "家里有猫，请不要开窗。", "周末有客人来，客厅和阳台要打扫。"],
    "locksmith": ["钥匙锁在屋里了，人在门口等。", "想换个好一点的锁芯，原来的不好用。"],
    "drains": ["马桶堵了，冲不下去。", "厨房水槽下水很慢，有异味。"],
    "appliance-repair": ["空调两年没洗了，有味道。", "洗衣机脱水时响声很大。", "冰箱冷藏室不冷了。"],
    "moving-help": ["从3楼搬到隔壁小区，东西不多。", "一室一厅，有一台冰箱一台洗衣机。"],
}
