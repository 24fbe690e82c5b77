"""Every user-visible text: gettext catalogues (Babel) per locale, rendered through Jinja2.

Catalogues are split per feature (locales/<locale>/LC_MESSAGES/<feature>.po).
Messages are keyed (`start.welcome`), so the catalogue of each locale holds its full text and
a missing key is a test failure rather than a silent fallback to some source language.
Templates are rendered with autoescaping for Telegram HTML: catalogue texts may contain
markup, every value passed in (names, questions, ideas) is escaped.

One `Texts` serves the bot and the web console: the catalogues are loaded once, and one Jinja2
environment per locale renders the bot's messages (locales/templates/*.html) and the console's
pages (locales/templates/console/*.html) alike.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property, partial
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

import locales
from services.plurals import plural_key
from services.refusals import Refusal, words

LOCALES_DIR = Path(locales.__file__).parent
TEMPLATES_DIR = LOCALES_DIR / "templates"
DOMAIN = "hotline"


def catalogue_paths(locale: str) -> list[Path]:
    """One .po file per feature (core.po, ideas.po, ...), merged into one catalogue."""
    return sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"))


def read_catalogue(locale: str) -> Catalog:
    merged = Catalog(locale=locale, domain=DOMAIN)
    for path in catalogue_paths(locale):
        with path.open("rb") as po_file:
            for message in read_po(po_file, locale=locale):
                if not message.id:
                    continue
                if message.id in merged:
                    raise ValueError(f"{path.name}: key {message.id!r} is defined twice")
                merged[message.id] = message
    return merged


def load_translations(locale: str) -> Translations:
    """Compiles the .po files in memory, so a fresh clone needs no build step."""
    buffer = BytesIO()
    write_mo(buffer, read_catalogue(locale))
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def negotiate_locale(language_code: str | None, default: str) -> str:
    """Maps Telegram's IETF language_code ("zh-hans", "en-US") onto our locales."""
    code = (language_code or "").lower()
    if code.startswith("zh"):
        return "zh_CN"
    if code.startswith("en"):
        return "en"
    return default


class Texts:
    """`timezone` is the bureau's: the one the console's pages show times in."""

    def __init__(self, supported: tuple[str, ...], default_locale: str,
                 timezone: str = "UTC") -> None:
        self.supported = supported
        self.default_locale = default_locale
        self.zone = ZoneInfo(timezone)
        self._translations = {locale: load_translations(locale) for locale in supported}
        self._environments = {locale: self._environment(locale) for locale in supported}

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
        env.globals["plural"] = partial(plural_key, locale)
        env.filters["localtime"] = self.local_time
        env.filters["localdate"] = self.local_date
        env.filters["number"] = _number
        return env

    def locale(self, wanted: str | None) -> str:
        """The wanted locale if we have it, otherwise the default."""
        return wanted if wanted in self._translations else self.default_locale

    def text(self, locale: str | None, key: str, **values: Any) -> str:
        """A plain text (button labels, alerts, command descriptions): nothing is escaped."""
        message = self._translations[self.locale(locale)].gettext(key)
        return message % values if values else message

    def html(self, locale: str | None, key: str, **values: Any) -> str:
        """One catalogue text as Telegram HTML, with every value escaped."""
        # Catalogue texts are ours and may hold markup; the values are escaped below.
        message = Markup(self._translations[self.locale(locale)].gettext(key))  # noqa: S704
        return str(message % {k: escape(v) for k, v in values.items()} if values else message)

    def refusal(self, locale: str | None, refusal: Refusal) -> str:
        """Why a front door said no (services.refusals), as plain text in this language."""
        return words(refusal, lambda key, **values: self.text(locale, key, **values))

    def refusal_html(self, locale: str | None, refusal: Refusal) -> str:
        """The same words as Telegram HTML: the catalogue's markup kept, every value escaped
        (a number someone typed may hold "<"), a nested refusal's words not escaped twice."""
        return str(words(refusal, lambda key, **values: Markup(  # noqa: S704 - html() escaped
            self.html(locale, key, **values))))

    def render(self, locale: str | None, template: str, **data: Any) -> str:
        """A whole message from locales/templates/<template>.html, autoescaped."""
        env = self._environments[self.locale(locale)]
        return env.get_template(f"{template}.html").render(**data).strip()

    def page(self, locale: str | None, template: str, context: dict[str, Any]) -> str:
        """A whole console page (`template` is its path under locales/templates/)."""
        return self._environments[self.locale(locale)].get_template(template).render(context)

    def has_text(self, key: str) -> bool:
        return self._translations[self.default_locale].gettext(key) != key

    def local_time(self, moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A UTC timestamp as the bureau's local time ("" for none)."""
        return "" if moment is None else moment.astimezone(self.zone).strftime(fmt)

    def local_date(self, moment: datetime | date | None) -> str:
        if moment is None:
            return ""
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.zone).date()
        return moment.isoformat()

    @cached_property
    def keys(self) -> dict[str, set[str]]:
        """Every key of every catalogue, for the completeness test and the language menu."""
        return {locale: {m.id for m in read_catalogue(locale) if m.id}
                for locale in self.supported}


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"
