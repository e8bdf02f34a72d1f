"""One translation catalog for the whole portal: pages (Flask-Babel) and the PDF worker (no request needed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def normalize_lang(lang: str | None) -> str:
    """ "en" for English (also "en_US", "en-GB"), else the default Chinese."""
    return "en" if str(lang or "").lower().replace("-", "_").split("_")[0] == "en" else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of `lang` (English msgids need none: a NullTranslations echoes them)."""
    return Translations.load(str(TRANSLATIONS_DIR), [normalize_lang(lang)], domain=DOMAIN)


class Translator:
    """gettext/pgettext of one language, with Flask-Babel's %(name)s placeholders; callable as `_`."""

    def __init__(self, lang: str) -> None:
        self.lang = normalize_lang(lang)
        self._catalog = translations(self.lang)

    def gettext(self, message: str, **variables: Any) -> str:
        """The translation of `message` with `variables` filled in."""
        text = self._catalog.ugettext(message)
        return text % variables if variables else text

    def pgettext(self, context: str, message: str, **variables: Any) -> str:
        """The translation of `message` in `context` (msgctxt) with `variables` filled in."""
        text = self._catalog.upgettext(context, message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """Singular or plural translation for `num`; `num` is available as %(num)d."""
        variables.setdefault("num", num)
        return self._catalog.ungettext(singular, plural, num) % variables

    __call__ = gettext


def translator(lang: str | None = None) -> Translator:
    """A translator for `lang`; without one, the request's language inside a request, else Chinese."""
    if lang is None:
        lang = current_lang()
    return Translator(lang)


def current_lang() -> str:
    """The request's language ("zh" or "en"); Chinese outside a request."""
    try:
        from flask import has_request_context
        from flask_babel import get_locale
    except ImportError:  # pragma: no cover - the PDF worker always has Flask installed
        return DEFAULT_LANGUAGE
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return normalize_lang(str(get_locale() or DEFAULT_LANGUAGE))


def gettext_callables(lang: str) -> dict[str, Any]:
    """Template globals for a Jinja environment without Flask: `_`, gettext, pgettext, ngettext."""
    t = translator(lang)
    return {"_": t.gettext, "gettext": t.gettext, "pgettext": t.pgettext, "ngettext": t.ngettext}
