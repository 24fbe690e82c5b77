"""The Jinja2 environments of the console: one per locale, HTML autoescaping, gettext bound.

Texts come from the same gettext catalogues as the bot's (console*.po among them), so a key
missing in a locale fails tests/test_texts.py like any other.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.plurals import plural_key
from services.texts import TEMPLATES_DIR, load_translations

# Each language named in itself on the switch.
LOCALE_LABELS = {"zh_CN": "console.language.chinese", "en": "console.language.english"}


class Renderer:
    def __init__(self, supported: tuple[str, ...], default_locale: str, timezone: str) -> None:
        self.supported = supported
        self.default_locale = default_locale
        self.zone = ZoneInfo(timezone)
        self._translations = {locale: load_translations(locale) for locale in supported}
        self._environments = {locale: self._environment(locale) for locale in supported}

    def locale(self, wanted: str | None) -> str:
        return wanted if wanted in self._environments else self.default_locale

    def _environment(self, locale: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        )
        env.install_gettext_translations(self._translations[locale], newstyle=True)
        env.globals["locale"] = locale
        env.globals["supported_locales"] = self.supported
        env.globals["locale_labels"] = LOCALE_LABELS
        env.filters["localtime"] = self.local_time
        env.filters["localdate"] = self.local_date
        env.filters["number"] = _number
        env.globals["plural"] = partial(plural_key, locale)
        return env

    def local_time(self, moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A UTC timestamp as the bureau's local time ("" for none)."""
        return "" if moment is None else moment.astimezone(self.zone).strftime(fmt)

    def local_date(self, moment: datetime | date | None) -> str:
        if moment is None:
            return ""
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.zone).date()
        return moment.isoformat()

    def text(self, locale: str, key: str, **values: Any) -> str:
        """One catalogue text, plain (for headers, CSV column names, JSON answers)."""
        message = self._translations[self.locale(locale)].gettext(key)
        return message % values if values else message

    def has_text(self, key: str) -> bool:
        return self._translations[self.default_locale].gettext(key) != key

    def page(self, locale: str, template: str, context: dict[str, Any]) -> str:
        return self._environments[self.locale(locale)].get_template(template).render(context)


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"
