"""Small helpers shared by forms."""
from wtforms import SelectChoice


def choice_list(pairs):
    """``[(value, label), ...]`` -> WTForms ``SelectChoice`` objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]
