"""The stock picture of each demo category and product (keys of ``catalogue.pictures.PICTURES``),
by category slug and by the product's English name."""

CATEGORY_PICTURES = {
    "drinks": "soft-drink", "snacks": "cookie", "dairy": "milk", "fresh": "leafy-greens",
    "instant": "noodles", "frozen": "ice-cream", "household": "broom", "personal-care": "lotion",
    "fruit": "apple", "bakery": "bread",
}

PRODUCT_PICTURES = {
    # drinks
    "Nongfu Spring Water": "water", "C'estbon Purified Water": "water", "Coca-Cola": "soft-drink",
    "Pepsi": "soft-drink", "Sprite": "soft-drink", "Fanta Orange": "tangerine",
    "Genki Forest White Peach Sparkling Water": "peach", "Oriental Leaf Jasmine Tea": "tea",
    "Master Kong Iced Black Tea": "tea", "Uni-President Assam Milk Tea": "milk-tea",
    "Wanglaoji Herbal Tea": "tea", "Red Bull Energy Drink": "soft-drink", "Mizone Lime": "lemon",
    "Nongfu Orchard Mixed Juice": "juice", "Suntory Oolong Tea, no sugar": "tea",
    "Nescafé Smooth Latte": "latte", "Starbucks Doubleshot Espresso": "coffee",
    "Tsingtao Beer Classic": "beer", "Budweiser Beer": "beer", "Coconut Palm Coconut Milk": "coconut",
    "Vita Lemon Tea": "lemon", "Arctic Ocean Orange Soda": "glass-bottle",
    "Huiyuan 100% Orange Juice": "juice",
    # snacks
    "Lay's Classic Potato Chips": "potato", "Lay's Cucumber Potato Chips": "potato",
    "Pringles Original": "potato", "Oreo Original Cookies": "cookie", "Dove Silky Milk Chocolate": "chocolate",
    "Snickers": "chocolate", "Want Want Rice Crackers": "rice-cracker", "Want Want Milk Puffs": "cookie",
    "Three Squirrels Daily Nuts": "peanuts", "Weilong Spicy Gluten Strips": "chilli",
    "Orion Choco Pie": "pie", "ChaCheer Roasted Sunflower Seeds": "sunflower", "Bestore Pork Jerky": "bacon",
    "Hsu Fu Chi Sachima": "honey", "Extra Xylitol Gum": "candy", "Doublemint Gum": "candy",
    "Alpenliebe Milk Candy": "candy", "Oishi Prawn Crackers": "fried-shrimp",
    "Want Want Senbei": "rice-cracker", "Panpan French Mini Rolls": "bread",
    "Daliyuan Egg Yolk Pie": "pie", "Strong Jelly Cups": "custard", "Pejoy Chocolate Sticks": "chocolate",
    "Zhou Hei Ya Braised Duck Neck": "poultry",
    # dairy and eggs
    "Bright Whole Milk": "milk", "Yili Whole Milk": "milk", "Bright Youbei Fresh Milk": "milk",
    "Mengniu Deluxe Milk": "milk", "Ambrosial Greek-style Yoghurt": "yoghurt",
    "Bright Mosilian Yoghurt": "yoghurt", "Yakult": "milk", "Simple Love Plain Yoghurt": "yoghurt",
    "Vitasoy Soy Milk": "juice", "Fresh Eggs": "egg", "Free-range Eggs": "egg",
    "Anchor Unsalted Butter": "butter", "Milkground Cheese Slices": "cheese", "Yili Chocolate Milk": "juice",
    # fresh
    "Tomatoes": "tomato", "Cucumbers": "cucumber", "Lettuce": "leafy-greens", "Potatoes": "potato",
    "Carrots": "carrot", "Spring Onion": "onion", "Ginger": "ginger", "Silken Tofu": "hotpot",
    "Minced Pork": "meat", "Chicken Breast": "poultry", "Chilled Salmon": "fish", "Fresh Noodles": "noodles",
    "Spinach": "leafy-greens", "Enoki Mushrooms": "mushroom",
    # pantry and instant
    "Master Kong Braised Beef Noodles": "noodles", "Uni-President Pickled Cabbage Beef Noodles": "noodles",
    "Nissin Cup Noodles Seafood": "noodles", "Baixiang Chicken Soup Noodles": "noodles",
    "Zihaiguo Self-heating Spicy Hotpot": "hotpot", "Maling Luncheon Meat": "canned-food",
    "Lao Gan Ma Chilli Crisp": "jar", "Wujiang Preserved Mustard Tuber": "canned-food",
    "Arawana Northeast Rice": "rice", "Haday Light Soy Sauce": "glass-bottle", "Luhua Peanut Oil": "oil",
    "Shuanghui Premium Ham Sausage": "sausage",
    # frozen
    "Synear Pork & Cabbage Dumplings": "dumpling", "Wanchai Ferry Shepherd's Purse Dumplings": "dumpling",
    "Sanquan Black Sesame Tangyuan": "dango", "Häagen-Dazs Vanilla": "ice-cream",
    "Magnum Vanilla": "ice-cream-cone", "Cornetto Vanilla Cone": "ice-cream-cone",
    "Bright Ice Brick": "ice-cream", "Dongbei Daban Ice Bar": "ice-cream-cone",
    "Bibigo King Dumplings": "dumpling", "Frozen Fries": "fries",
    "Guangzhou Restaurant Shrimp Dumplings": "dumpling", "Anjoy Fish Balls": "fish-cake",
    # household
    "Vinda Facial Tissues": "paper-roll", "Breeze Toilet Rolls": "paper-roll",
    "Hearttex Wet Wipes": "paper-roll", "Blue Moon Laundry Liquid": "lotion", "Liby Dish Soap": "sponge",
    "Bin Bags, medium": "wastebasket", "Nanfu AA Batteries": "battery", "Miaojie Cling Film": "paper-roll",
    "Disposable Chopsticks": "chopsticks", "Lighter": "flame", "Mr Muscle Kitchen Cleaner": "sponge",
    "Dettol Disinfectant": "lotion", "Food Bags, medium": "shopping-bags", "Kitchen Roll": "paper-roll",
    # personal care
    "Colgate Toothpaste": "toothbrush", "Crest Toothbrushes": "toothbrush",
    "Head & Shoulders Shampoo": "lotion", "Safeguard Soap": "soap", "Liushen Floral Water": "droplet",
    "Sofy Day Pads": "paper-roll", "Whisper Night Pads": "paper-roll", "Mentholatum Lip Balm": "lipstick",
    "Nivea Men Face Wash": "soap", "Band-Aid Plasters": "bandage", "Disposable Face Masks": "mask",
    "Walch Hand Wash": "soap", "Cotton Buds": "paper-roll", "Gillette Razor Blades": "razor",
    # fruit
    "Bananas": "banana", "Fuji Apples": "apple", "Sugar Mandarins": "tangerine",
    "Kirin Watermelon, half": "watermelon", "Shine Muscat Grapes": "grapes", "Kiwi Fruit": "kiwi",
    "Small Taiwan Mangoes": "mango", "Blueberries": "blueberries", "Strawberries": "strawberry",
    "Red Dragon Fruit": "peach", "Crown Pears": "pear", "Fresh-cut Fruit Box": "fruit-box",
    # bakery
    "Wholemeal Toast Bread": "bread", "Milk Toast Bread": "bread", "Baguette": "baguette",
    "Butter Croissants": "croissant", "Pork Floss Bun": "round-bread", "Pineapple Bun": "round-bread",
    "Portuguese Egg Tarts": "pie", "Tiramisu Cup": "cake", "Baked Cheesecake Slice": "cake",
    "Wholemeal Country Loaf": "round-bread", "Red Bean Bun": "round-bread", "Cream Puffs": "cupcake",
}
