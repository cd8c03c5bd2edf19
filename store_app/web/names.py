"""Names in two languages: things staff name keep ``name_zh`` and ``name_en``, one of them required.

``split_names`` reads an old one-field name ("近区 Inner", "张伟 Zhang Wei") into its two parts; the
data migration and callers that still pass one ``name`` use it. ``BilingualName`` gives a form both
fields and refuses it when both are empty. ``localized`` (``store_app.web.i18n``) picks the one to show.
"""
import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from ..errors import DomainError

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A Chinese part, then (after a space, a slash or brackets) a part that starts with a Latin letter.
_BRACKETED = re.compile(r"^(?P<zh>.*[\u3400-\u9fff\uf900-\ufaff][^()（）]*?)\s*[(（](?P<en>[^()（）]+)[)）]$")
_COMBINED = re.compile(r"^(?P<zh>.*[\u3400-\u9fff\uf900-\ufaff][^A-Za-z]*?)\s*[/(（]?\s*(?P<en>[A-Za-z].*?)\s*[)）]?$")


class NameMissing(DomainError):
    """Neither a Chinese nor an English name was given."""

    message = _l("Give a name in Chinese, in English, or both.")
    field = "name_zh"


def has_han(text):
    """Whether ``text`` holds a Chinese character."""
    return bool(HAN.search(text or ""))


def split_names(text):
    """``(name_zh, name_en)`` from a name in one field: "近区 Inner" -> ("近区", "Inner"); an English
    part in brackets too: "宜山路 455 号 (455 Yishan Rd)" -> ("宜山路 455 号", "455 Yishan Rd").

    A name in one script only goes to that language's field; a Chinese name with Latin letters inside
    that are not a separate trailing part ("A栋") stays whole in ``name_zh``.
    """
    text = " ".join((text or "").split())
    if not has_han(text):
        return "", text
    match = _BRACKETED.match(text) or _COMBINED.match(text)
    if match and not has_han(match["en"]) and LATIN_WORD.search(match["en"]):
        return match["zh"].strip(" /(（"), match["en"].strip()
    return text, ""


def clean_names(name_zh, name_en, *, name=None):
    """The two names stripped, from the two fields or (older callers) from one ``name``.

    Raises ``NameMissing`` when both are empty."""
    if name is not None and not (name_zh or name_en):
        name_zh, name_en = split_names(name)
    name_zh, name_en = " ".join((name_zh or "").split()), " ".join((name_en or "").split())
    if not (name_zh or name_en):
        raise NameMissing()
    return name_zh, name_en


def bilingual_name(max_length, label_zh=_l("Name in Chinese"), label_en=_l("Name in English")):
    """A form mixin with ``name_zh`` and ``name_en``: either may be empty, not both."""

    class BilingualName:
        name_zh = StringField(label_zh, validators=[Length(max=max_length)],
                              render_kw={"lang": "zh-Hans", "autocomplete": "off"})
        name_en = StringField(label_en, validators=[Length(max=max_length)],
                              render_kw={"lang": "en", "autocomplete": "off"})

        def validate_name_zh(self, field):
            if not (field.data or "").strip() and not (self.name_en.data or "").strip():
                raise ValidationError(NameMissing.message)

    return BilingualName
