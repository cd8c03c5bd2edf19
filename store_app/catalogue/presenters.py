"""How catalogue values read on a page: the reason line of a feed card, placeholders, labels."""
from flask_babel import gettext as _
from flask_babel import ngettext

from . import rules
from .forms import REASON_LABELS

PLACEHOLDER_TONES = 8  # .ph-0 … .ph-7 in shop.css


def reason_text(ranked, categories_by_id, lang):
    """The short line that says why a card is in the feed, in the user's language, or ''."""
    if ranked.reason == rules.REASON_HABIT and ranked.due:
        return ngettext("About time again: you buy this about every day",
                        "About time again: you buy this about every %(num)d days", ranked.every_days)
    if ranked.reason == rules.REASON_HABIT:
        return ngettext("You buy this about every day", "You buy this about every %(num)d days",
                        ranked.every_days)
    if ranked.reason == rules.REASON_BOUGHT:
        return _("Bought before")
    if ranked.reason == rules.REASON_FAVOURITE and ranked.category_id in categories_by_id:
        return _("From your favourite category: %(category)s",
                 category=categories_by_id[ranked.category_id].name(lang))
    if ranked.reason == rules.REASON_POPULAR:
        return _("Popular nearby")
    return ""


def placeholder_tone(category_id):
    """Which of the placeholder colours a category's products get (stable per category)."""
    return (category_id or 0) % PLACEHOLDER_TONES


def placeholder_glyph(name):
    """The big character on a photo placeholder: the first letter or Chinese character of the name."""
    stripped = (name or "").strip()
    return stripped[:1].upper() if stripped else "?"


def reason_label(reason):
    """A stock movement's reason in the user's language."""
    label = REASON_LABELS.get(reason)
    return str(label) if label is not None else reason
