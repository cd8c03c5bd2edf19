"""How breakfast things read in the page's language."""
from flask_babel import lazy_gettext as _l

ALLERGEN_NAMES = {
    "gluten": _l("gluten (wheat, rye, barley, oats)"),
    "crustaceans": _l("crustaceans"),
    "eggs": _l("eggs"),
    "fish": _l("fish"),
    "peanuts": _l("peanuts"),
    "soy": _l("soy"),
    "milk": _l("milk"),
    "tree_nuts": _l("tree nuts"),
    "celery": _l("celery"),
    "mustard": _l("mustard"),
    "sesame": _l("sesame"),
    "sulphites": _l("sulphites"),
    "lupin": _l("lupin"),
    "molluscs": _l("molluscs"),
}


def allergen_name(code):
    return str(ALLERGEN_NAMES.get(code, code))


def allergen_names(codes):
    return [allergen_name(code) for code in codes]


def qr_svg(code):
    """A pickup code as an inline SVG QR code (full QR, medium error correction) for the desk's scanner."""
    import segno
    from markupsafe import Markup

    qr = segno.make(code, error="m", micro=False)
    return Markup(qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None,
                                dark="#000", light="#fff"))
