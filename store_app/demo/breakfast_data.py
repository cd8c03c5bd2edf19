"""What the demo community's breakfast is made of: a menu of ten items and thirty children of the demo
residents at two nearby primary schools. Deterministic: the same demo on every machine."""

MON_TO_FRI = 0b0011111
MON_WED_FRI = 0b0010101
TUE_THU = 0b0001010

# (name_zh, name_en, price_cents, stock picture key, ingredients_zh, ingredients_en, allergens,
#  allergens known, weekdays bits, daily capacity)
MENU = [
    ("鲜肉包", "Pork bun", 250, "round-bread", "小麦粉、猪肉、葱、酱油、酵母",
     "wheat flour, pork, spring onion, soy sauce, yeast", ("gluten", "soy"), True, MON_TO_FRI, 40),
    ("茶叶蛋", "Tea egg", 150, "egg", "鸡蛋、红茶、酱油、八角", "eggs, black tea, soy sauce, star anise",
     ("eggs", "soy"), True, MON_TO_FRI, 40),
    ("鲜牛奶", "Fresh milk", 350, "milk", "全脂牛奶", "whole milk", ("milk",), True, MON_TO_FRI, 40),
    ("豆浆", "Soy milk", 200, "juice", "黄豆、水、冰糖", "soybeans, water, rock sugar", ("soy",), True,
     MON_TO_FRI, 40),
    ("小米粥", "Millet porridge", 300, "yoghurt", "小米、水、红枣", "millet, water, red dates", (), True,
     MON_TO_FRI, 30),
    ("蒸饺", "Steamed dumplings", 600, "dumpling", "小麦粉、猪肉、白菜、姜、香油",
     "wheat flour, pork, Chinese cabbage, ginger, sesame oil", ("gluten", "sesame"), True, MON_WED_FRI, 25),
    ("油条", "Fried dough stick", 200, "baguette", "小麦粉、大豆油、盐、泡打粉",
     "wheat flour, soybean oil, salt, baking powder", ("gluten", "soy"), True, MON_TO_FRI, 30),
    ("葱油饼", "Scallion pancake", 400, "pie", "小麦粉、葱、猪油、盐", "wheat flour, spring onion, lard, salt",
     ("gluten",), True, TUE_THU, 20),
    ("鲜榨橙汁", "Fresh orange juice", 500, "tangerine", "橙子", "oranges", (), True, MON_TO_FRI, 20),
    # The bakery has not sent its full list for the sandwich: "allergen information incomplete".
    ("鸡蛋三明治", "Egg sandwich", 800, "bread", "吐司、鸡蛋、生菜、沙拉酱", "toast, eggs, lettuce, mayonnaise",
     ("gluten", "eggs"), False, MON_TO_FRI, 20),
]

SCHOOLS = ("宜山路小学", "田林第三小学")  # two primary schools near the store, as parents write them

# (resident index in data.RESIDENTS, child's name, class, school index, allergies)
CHILDREN = [
    (0, "周子涵", "二年级(1)班", 0, ()), (0, "周子轩", "五年级(2)班", 0, ("peanuts",)),
    (1, "吴一诺", "一年级(3)班", 0, ()), (1, "吴浩然", "四年级(1)班", 0, ()),
    (2, "郑可欣", "三年级(2)班", 1, ("milk",)), (2, "郑宇航", "一年级(1)班", 1, ()),
    (3, "冯思彤", "二年级(2)班", 0, ()), (3, "冯俊熙", "六年级(1)班", 0, ("eggs",)),
    (4, "何雨桐", "三年级(1)班", 0, ()), (4, "何梓睿", "一年级(2)班", 0, ()),
    (5, "许欣怡", "四年级(3)班", 1, ("gluten",)), (5, "许博文", "二年级(1)班", 1, ()),
    (6, "邓诗琪", "五年级(1)班", 0, ()), (6, "邓皓轩", "三年级(3)班", 0, ("soy",)),
    (7, "曹语嫣", "一年级(1)班", 0, ()), (7, "曹铭泽", "四年级(2)班", 0, ()),
    (8, "彭若曦", "二年级(3)班", 1, ("milk", "eggs")), (8, "彭子墨", "五年级(3)班", 1, ()),
    (9, "蒋安琪", "三年级(2)班", 0, ()), (9, "蒋天佑", "六年级(2)班", 0, ("sesame",)),
    (10, "Mia Clark", "三年级(1)班", 0, ("peanuts", "tree_nuts")),
    (11, "Noah Meyer", "二年级(2)班", 0, ()),
    (12, "Yui Tanaka", "四年级(1)班", 1, ("milk",)),
    (13, "Lily Brown", "一年级(3)班", 0, ()),
    (14, "Leo García", "五年级(2)班", 0, ("gluten",)),
    (15, "林晓雯", "三年级(3)班", 1, ()),
    (16, "高梓萱", "二年级(1)班", 0, ()),
    (17, "罗俊杰", "六年级(3)班", 0, ("eggs",)),
    (18, "梁一鸣", "一年级(2)班", 1, ()),
    (19, "宋雨菲", "四年级(2)班", 0, ()),
]

# Breakfasts a child's subscription takes (indexes into MENU), tried in turn: the first choices a
# child may eat (allergens) and the day offers (weekday) make the day's items.
DRINKS = (2, 3, 4, 8)          # milk, soy milk, porridge, orange juice
FOODS = (0, 1, 6, 5, 7, 9)     # pork bun, tea egg, dough stick, dumplings, pancake, sandwich

SHORT_WALLET_RESIDENT = 19     # tops up too little: their last charged breakfast went on credit
NO_SHOW_EVERY = 9              # about one cooked breakfast in nine was not collected
REMINDER_RESIDENTS = (0, 2, 4, 10, 12)  # opted in to the school-morning reminder
