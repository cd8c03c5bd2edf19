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


def init_app(app):
    """Bind Flask-Babel with our selector and expose the language list to templates."""
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        locale = get_locale()
        return {"current_lang": locale.language if locale else "zh", "LANGUAGE_NAMES": LANGUAGE_NAMES}
