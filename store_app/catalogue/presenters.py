"""How catalogue values read on a page: the reason line of a feed card, placeholders, labels."""
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from . import images, pictures, rules
from .forms import REASON_LABELS

PLACEHOLDER_TONES = 8  # .tone-0 … .tone-7 in shop.css


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
    """Which of the soft background colours behind a stock picture a category's products get."""
    return (category_id or 0) % PLACEHOLDER_TONES


@dataclass(frozen=True)
class Picture:
    """How a product's picture is drawn: ``src``, ``srcset`` (photos only, else ""), its size in
    pixels (so the page keeps its place before it loads) and whether it is a photo."""

    src: str
    srcset: str
    width: int
    height: int
    is_photo: bool


STOCK_PICTURE_PX = 72  # the OpenMoji drawings' own size


def picture_of(product):
    """The product's ``Picture``: its photo in every kept width, else its stock picture, else its
    category's, else the basket."""
    name = product.image_filename
    if name:
        widths = sorted(int(w) for w in (product.image_widths or "").split(",") if w.isdigit())
        sources = [(url_for("catalogue.product_image", name=images.sized_name(name, w)), w) for w in widths]
        original = url_for("catalogue.product_image", name=name)
        if product.image_width:
            sources.append((original, product.image_width))
        # The plain ``src`` (browsers without srcset): the 320 px copy when there is one.
        src = next((url for url, w in sources if w >= 320), original)
        return Picture(src, ", ".join(f"{url} {w}w" for url, w in sources) if product.image_width else "",
                       product.image_width or 640, product.image_height or 640, True)
    key = product.picture
    if not pictures.is_picture(key):
        category = product.category
        key = category.picture if category is not None and pictures.is_picture(category.picture) else None
    key = key or pictures.FALLBACK
    return Picture(url_for("static", filename=pictures.picture_file(key)), "", STOCK_PICTURE_PX,
                   STOCK_PICTURE_PX, False)


def reason_label(reason):
    """A stock movement's reason in the user's language."""
    label = REASON_LABELS.get(reason)
    return str(label) if label is not None else reason
