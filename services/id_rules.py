"""Pure rules on a vendor's identity: the company's 统一社会信用代码 (unified social credit code, checked
with python-stdnum ``cn.uscc``) or a person's resident ID number (``cn.ric``), how either is shown
(masked: the first four and last four characters).

No Flask, no database: plain values in, values out; problems are ``IdNumberInvalid``.
"""
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

COMPANY, INDIVIDUAL = "company", "individual"
SHOWN_HEAD, SHOWN_TAIL = 4, 4


class IdNumberInvalid(ValueError):
    """The number is not a valid code of the vendor's kind; ``code`` says which check failed."""

    @property
    def code(self):
        return self.args[0]


def check_id_number(kind, number):
    """The compact form of ``number`` (no spaces or dashes, upper case) when it is a valid USCC for
    a ``company`` or a valid resident ID number for an ``individual``; else ``IdNumberInvalid``
    (``empty``, ``length``, ``format``, ``checksum``, ``kind``)."""
    if kind not in (COMPANY, INDIVIDUAL):
        raise IdNumberInvalid("kind")
    raw = (number or "").strip()
    if not raw:
        raise IdNumberInvalid("empty")
    module = uscc if kind == COMPANY else ric
    try:
        return module.validate(raw)
    except ValidationError as exc:
        code = type(exc).__name__
        raise IdNumberInvalid({"InvalidLength": "length", "InvalidChecksum": "checksum"}.get(code, "format")) from exc


def mask_number(number):
    """``"110105194912310021"`` -> ``"1101**********0021"``: the head and tail shown, the rest starred
    (a short number shows only its last character; an empty one stays empty)."""
    text = number or ""
    if len(text) <= SHOWN_HEAD + SHOWN_TAIL:
        return "*" * (len(text) - 1) + text[-1:] if text else ""
    return text[:SHOWN_HEAD] + "*" * (len(text) - SHOWN_HEAD - SHOWN_TAIL) + text[-SHOWN_TAIL:]
