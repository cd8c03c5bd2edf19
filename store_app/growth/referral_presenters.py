"""How referrals are shown, on the pages and in the API alike: the invite link, its QR code, a
masked name."""
import segno
from flask import url_for
from markupsafe import Markup

from ..web.i18n import localized


def invite_link(code, store_id):
    """The absolute link a resident shares: ``/invite/<code>?store=<id>`` (codes are per store)."""
    return url_for("referrals.landing", code=code, store=store_id, _external=True)


def qr_svg(text):
    """``text`` as an inline SVG QR code (full QR, medium error correction, quiet zone of four)."""
    qr = segno.make(text, error="m", micro=False)
    return Markup(qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None,
                                dark="#000", light="#fff"))


def masked_name(user):
    """A friend's or inviter's name as others see it: its first character and stars ("张**"), so
    trying codes reveals no one's name."""
    name = localized(user) or "?"
    return name[0] + "**"
