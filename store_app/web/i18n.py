"""Languages: Simplified Chinese and English, chosen from the browser, switchable, remembered.

Order of preference: the ``lang`` cookie (set by the switch), the logged-in user's saved
choice, then the browser's ``Accept-Language``.
"""
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from ..extensions import babel

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def select_locale():
    """Flask-Babel's locale selector."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, scheduler jobs, operations called from tests
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return request.accept_languages.best_match(supported, default=current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language():
    """``"zh"`` or ``"en"``: which of a thing's names to show."""
    locale = get_locale()
    return locale.language if locale else "zh"


def other_language(lang):
    """The language to fall back on when a thing has no name in ``lang``."""
    return "en" if lang == "zh" else "zh"


def localized(obj, field="name", lang=None):
    """``obj``'s ``<field>_<lang>`` in the page's language, else the other language's, else "".

    Things staff name (zones, buildings, carriers, categories, people) keep one field per language,
    one of them required: this is the one place that picks which to show. ``obj`` may be a model,
    a named tuple or a mapping (a ledger entry's parameters).
    """
    lang = lang or (current_language() if has_request_context() else "zh")

    def value(language):
        key = f"{field}_{language}"
        found = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
        return (found or "").strip()

    return value(lang) or value(other_language(lang))


def lang_of(text):
    """The ``lang`` attribute for text people typed: Chinese when it has a Chinese character."""
    from .names import has_han

    return "zh-Hans" if has_han(text) else "en"


def typed(text):
    """Text people typed (a child's name, a class, a school) as a span marked with its own language,
    also inside a translated sentence: ``_("Remove %(name)s", name=child.name|typed)``."""
    from markupsafe import Markup, escape

    return Markup('<span lang="{}">{}</span>').format(lang_of(text or ""), escape(text or ""))


def init_app(app):
    """Bind Flask-Babel with our selector and expose the language list to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_global(localized, "localized")
    app.add_template_filter(lang_of, "lang_of")
    app.add_template_filter(typed, "typed")

    @app.context_processor
    def language_context():
        locale = get_locale()
        return {"current_lang": locale.language if locale else "zh", "LANGUAGE_NAMES": LANGUAGE_NAMES}
