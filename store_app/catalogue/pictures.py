"""Stock pictures: OpenMoji drawings (CC BY-SA 4.0, vendored from the ``openmoji`` npm package into
``static/pictures/openmoji/``) that stand for a product until staff upload a photo of it.

A product shows, in this order: its photo, its own stock picture (``Product.picture``), its
category's (``Category.picture``), or ``FALLBACK``. Never a letter on a coloured tile.
"""
from flask_babel import lazy_gettext as _l

FOLDER = "pictures/openmoji"   # under static/
FALLBACK = "basket"

# key -> (OpenMoji code point(s), what it shows). The key is what rows store; the file is
# ``<FOLDER>/<code>.svg``.
PICTURES = {
    "water": ("E0CC", _l("Bottle of water")),
    "glass-bottle": ("E0CB", _l("Glass bottle")),
    "soft-drink": ("1F964", _l("Soft drink")),
    "juice": ("1F9C3", _l("Juice box")),
    "tea": ("1F375", _l("Tea")),
    "milk-tea": ("1F9CB", _l("Milk tea")),
    "coffee": ("2615", _l("Coffee")),
    "latte": ("E0C5", _l("Latte")),
    "beer": ("1F37A", _l("Beer")),
    "coconut": ("1F965", _l("Coconut")),
    "lemon": ("1F34B", _l("Lemon")),
    "potato": ("1F954", _l("Potato")),
    "cookie": ("1F36A", _l("Biscuit")),
    "chocolate": ("1F36B", _l("Chocolate")),
    "rice-cracker": ("1F358", _l("Rice cracker")),
    "peanuts": ("1F95C", _l("Nuts")),
    "chilli": ("1F336", _l("Chilli")),
    "pie": ("1F967", _l("Pie")),
    "sunflower": ("1F33B", _l("Sunflower seeds")),
    "bacon": ("1F953", _l("Cured meat")),
    "honey": ("1F36F", _l("Honey")),
    "candy": ("1F36C", _l("Sweets")),
    "fried-shrimp": ("1F364", _l("Prawn")),
    "bread": ("1F35E", _l("Bread")),
    "custard": ("1F36E", _l("Pudding and jelly")),
    "poultry": ("1F357", _l("Poultry")),
    "milk": ("1F95B", _l("Glass of milk")),
    "yoghurt": ("1F963", _l("Bowl of yoghurt")),
    "egg": ("1F95A", _l("Egg")),
    "butter": ("1F9C8", _l("Butter")),
    "cheese": ("1F9C0", _l("Cheese")),
    "tomato": ("1F345", _l("Tomato")),
    "cucumber": ("1F952", _l("Cucumber")),
    "leafy-greens": ("1F96C", _l("Leafy greens")),
    "carrot": ("1F955", _l("Carrot")),
    "onion": ("1F9C5", _l("Onion")),
    "ginger": ("1FADA", _l("Ginger")),
    "hotpot": ("1F372", _l("Pot of food")),
    "meat": ("1F969", _l("Meat")),
    "fish": ("1F41F", _l("Fish")),
    "noodles": ("1F35C", _l("Noodles")),
    "mushroom": ("E0C9", _l("Mushroom")),
    "canned-food": ("1F96B", _l("Tinned food")),
    "jar": ("1FAD9", _l("Jar")),
    "rice": ("1F35A", _l("Rice")),
    "oil": ("1FAD7", _l("Cooking oil")),
    "sausage": ("1F32D", _l("Sausage")),
    "dumpling": ("1F95F", _l("Dumplings")),
    "dango": ("1F361", _l("Sweet dumplings")),
    "ice-cream": ("1F368", _l("Ice cream")),
    "ice-cream-cone": ("1F366", _l("Ice cream cone")),
    "fries": ("1F35F", _l("Chips (fries)")),
    "fish-cake": ("1F365", _l("Fish balls")),
    "paper-roll": ("1F9FB", _l("Paper roll")),
    "lotion": ("1F9F4", _l("Bottle of lotion")),
    "sponge": ("1F9FD", _l("Sponge")),
    "wastebasket": ("1F5D1", _l("Bin")),
    "battery": ("1F50B", _l("Battery")),
    "chopsticks": ("1F962", _l("Chopsticks")),
    "flame": ("1F525", _l("Flame")),
    "shopping-bags": ("1F6CD", _l("Bags")),
    "broom": ("1F9F9", _l("Broom")),
    "toothbrush": ("1FAA5", _l("Toothbrush")),
    "soap": ("1F9FC", _l("Soap")),
    "droplet": ("1F4A7", _l("Droplet")),
    "lipstick": ("1F484", _l("Lip care")),
    "bandage": ("1FA79", _l("Plaster")),
    "mask": ("1F637", _l("Face mask")),
    "razor": ("1FA92", _l("Razor")),
    "banana": ("1F34C", _l("Banana")),
    "apple": ("1F34E", _l("Apple")),
    "tangerine": ("1F34A", _l("Mandarin")),
    "watermelon": ("1F349", _l("Watermelon")),
    "grapes": ("1F347", _l("Grapes")),
    "kiwi": ("1F95D", _l("Kiwi fruit")),
    "mango": ("1F96D", _l("Mango")),
    "blueberries": ("1FAD0", _l("Blueberries")),
    "strawberry": ("1F353", _l("Strawberry")),
    "peach": ("1F351", _l("Peach")),
    "pear": ("1F350", _l("Pear")),
    "fruit-box": ("1F371", _l("Boxed fruit")),
    "baguette": ("1F956", _l("Baguette")),
    "croissant": ("1F950", _l("Croissant")),
    "round-bread": ("E0CA", _l("Bun")),
    "cake": ("1F370", _l("Cake")),
    "cupcake": ("1F9C1", _l("Cupcake")),
    "basket": ("1F9FA", _l("Basket")),
}


def is_picture(key):
    """True for the key of a stock picture."""
    return isinstance(key, str) and key in PICTURES


def picture_file(key):
    """The static file of a stock picture (``pictures/openmoji/1F95B.svg``), ``FALLBACK``'s for an
    unknown key."""
    code = PICTURES.get(key, PICTURES[FALLBACK])[0]
    return f"{FOLDER}/{code}.svg"


def label(key):
    """What a stock picture shows, in the user's language."""
    return str(PICTURES.get(key, PICTURES[FALLBACK])[1])


def choices():
    """``[(key, label)]`` of every stock picture, for a form's list."""
    return [(key, text) for key, (_code, text) in PICTURES.items()]
