"""What the demo community is made of. Deterministic: the same demo on every machine."""
import math
import random

STORE = {
    "name": "邻里便利店",
    "name_en": "Neighbourhood Store",
    "address": "上海市徐汇区宜山路 455 号",
    "address_en": "455 Yishan Rd, Xuhui, Shanghai",
    "lat": 31.17838,
    "lon": 121.42495,
    "timezone": "Asia/Shanghai",
    "phone": "021-5432 1000",
    "promise_minutes": 30,
}
# Open round the clock, like most city convenience stores (so the demo can deliver at any hour).
HOURS = [(d, 0, 1440) for d in range(7)]

COMPOUNDS = [
    ("莲花苑", "Lotus Garden"), ("梅陇新村", "Meilong Village"), ("华泰小区", "Huatai Estate"),
    ("樱桃园", "Cherry Court"), ("锦绣华庭", "Jinxiu Residence"), ("南丹公寓", "Nandan Apartments"),
    ("天钥新村", "Tianyao Village"), ("宜山雅苑", "Yishan Court"),
]
BUILDINGS_PER_COMPOUND = 5
# Notes staff write for couriers, as they would write them (shown as written, marked as Chinese).
ENTRANCES = ["东门进，右手第一栋", "北门进", "快递柜旁", "地下车库可直达", ""]

PASSWORD = "demo1234"
# (phone, name, name in Latin letters for English pages)
OWNER = ("+8613800138000", "王芳", "Wang Fang")
STAFF = [("+8613800138001", "李晓", "Li Xiao"), ("+8613800138002", "陈静", "Chen Jing")]
COURIERS = [("+8613800138010", "张伟", "Zhang Wei"), ("+8613800138011", "刘洋", "Liu Yang"),
            ("+8613800138012", "赵磊", "Zhao Lei"), ("+8613800138013", "孙鹏", "Sun Peng")]
RESIDENT_NAMES = ["周婷", "吴敏", "郑浩", "冯雪", "何军", "许丽", "邓超", "曹芳", "彭宇", "蒋琳",
                  "Emma Clark", "Lucas Meyer", "Aiko Tanaka", "Olivia Brown", "Mateo García",
                  "林涛", "高翔", "罗娟", "梁晨", "宋佳"]
RESIDENTS = [(f"+86139001390{i:02d}", name, "") for i, name in enumerate(RESIDENT_NAMES)]


def offset(lat, lon, distance_m, bearing_deg):
    """The point ``distance_m`` away from ``(lat, lon)`` towards ``bearing_deg`` (flat earth, fine at 2 km)."""
    d_lat = distance_m * math.cos(math.radians(bearing_deg)) / 111_320
    d_lon = distance_m * math.sin(math.radians(bearing_deg)) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lon + d_lon, 6)


def buildings():
    """About 40 buildings: compounds at different bearings, 150 m to 1.5 km from the store."""
    rng = random.Random(20261122)
    result = []
    for index, (zh, en) in enumerate(COMPOUNDS):
        bearing = index * 360 / len(COMPOUNDS) + rng.uniform(-15, 15)
        centre_m = 250 + (index % 4) * 330 + rng.uniform(0, 80)
        for number in range(1, BUILDINGS_PER_COMPOUND + 1):
            lat, lon = offset(STORE["lat"], STORE["lon"], centre_m + rng.uniform(-60, 60),
                              bearing + rng.uniform(-6, 6))
            result.append({
                "name_zh": f"{zh} {number}号楼", "name_en": f"{en} Building {number}",
                "aliases": [f"{zh}{number}号楼", f"{en} {number}", f"{number}号楼"],
                "lat": lat, "lon": lon,
                "entrance_note": ENTRANCES[(index + number) % len(ENTRANCES)],
            })
    return result
