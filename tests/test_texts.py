"""Every text exists in both locales, and user text can never become markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import SUPPORTED_LOCALES
from handlers.announce_steps import QUESTION_KEYS as ANNOUNCE_QUESTIONS
from handlers.profile import STEPS
from handlers.registry import command_catalogue
from handlers.trainings_cards import runtime_text_keys as trainings_text_keys
from handlers.trainings_staff import STEPS as TRAINING_STEPS
from services.announcements.composing import ERROR_KEYS as ANNOUNCE_ERRORS
from services.announcements.media_upload import REFUSAL_KEYS as MEDIA_REFUSALS
from services.delivery.protocol import Outcome
from services.hotline.reports import EXPORT_TEXT_KEYS as CASE_EXPORT_KEYS
from services.ideas.export import EXPORT_COLUMNS
from services.ideas.rules import INPUT_ERRORS, REFUSALS
from services.plurals import counted_keys
from services.texts import TEMPLATES_DIR, Texts, negotiate_locale
from services.trainings.exports import TEXT_KEYS as TRAINING_EXPORT_KEYS
from services.trainings.sessions import REFUSAL_KEYS as SESSION_REFUSALS
from storage.models import Role

ROOT = Path(__file__).resolve().parent.parent
# Literal keys in code: context.text("..."), .html("..."), texts.text(locale, "...") and
# templates' _("...").
_CODE_KEY = re.compile(r'\b(?:text|html)\((?:[\w.]+, )?"([a-z_]+\.[a-z_.]+)"')
_TEMPLATE_KEY = re.compile(r'_\("([a-z_]+\.[a-z_.A-Z]+)"')
_MENU_KEY = re.compile(r'menu\.add\(\s*"\w+", "([a-z_]+\.[a-z_.]+)"')
_ANY_KEY = re.compile(r'"([a-z_]+\.[a-z_.]+)"')
# A front door's refusal names its text: raise Refused("x.y", ...) (or a feature's subclass).
_REFUSAL_KEY = re.compile(r'Refus\w*\(\s*"([a-z_]+\.[a-z_.]+)"')
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# The hotline services name the texts they send (messenger.notify(chat, "hotline.x")) and
# the roster's texts (Refused("roster.csv.header", ...); audit actions like "roster.import"
# have one dot only).
_HOTLINE_KEY = re.compile(r'"(hotline\.[a-z_.]+|roster\.[a-z_]+\.[a-z_.]+)"')


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts(SUPPORTED_LOCALES, "zh_CN")


def keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for folder in ("handlers", "services", "bot", "scheduler", "console"):
        for path in (ROOT / folder).rglob("*.py"):
            keys |= set(_CODE_KEY.findall(path.read_text(encoding="utf-8")))
            keys |= set(_REFUSAL_KEY.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "handlers").rglob("*.py"):
        keys |= set(_MENU_KEY.findall(path.read_text(encoding="utf-8")))
    for path in TEMPLATES_DIR.rglob("*.html"):  # console/ pages in a subfolder
        keys |= set(_TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")))
    # Keys built at run time from data.
    keys |= {spec.description_key for spec in command_catalogue()}
    keys |= {f"role.{role.value}" for role in Role}
    keys |= {f"language.name.{locale}" for locale in SUPPORTED_LOCALES}
    keys |= {f"profile.ask.{step}" for step in STEPS}
    keys |= {"profile.error.empty", "profile.error.too_long"}
    for path in (ROOT / "services" / "hotline").glob("*.py"):
        keys |= set(_HOTLINE_KEY.findall(path.read_text(encoding="utf-8")))
    keys |= {f"ideas.export.{column}" for column in EXPORT_COLUMNS}
    keys |= INPUT_ERRORS | REFUSALS
    keys |= ANNOUNCE_QUESTIONS | ANNOUNCE_ERRORS
    keys |= trainings_text_keys(TRAINING_STEPS)
    keys |= MEDIA_REFUSALS | SESSION_REFUSALS
    keys |= CASE_EXPORT_KEYS | TRAINING_EXPORT_KEYS
    keys |= counted_keys()
    keys |= {f"records.dashboard.outcome.{outcome.value}" for outcome in Outcome
             if outcome is not Outcome.SENT}
    return keys


def test_every_key_used_exists_in_every_locale(texts: Texts) -> None:
    used = keys_used_in_code()
    assert len(used) > 40  # the scan itself works
    for locale in SUPPORTED_LOCALES:
        missing = sorted(used - texts.keys[locale])
        assert not missing, f"{locale} lacks {missing}"


def test_locales_have_the_same_keys_and_placeholders(texts: Texts) -> None:
    zh, en = texts.keys["zh_CN"], texts.keys["en"]
    assert zh == en, f"only zh_CN: {sorted(zh - en)}; only en: {sorted(en - zh)}"
    for key in zh:
        zh_text, en_text = texts.text("zh_CN", key), texts.text("en", key)
        assert zh_text and en_text and zh_text != key and en_text != key, key
        assert set(_PLACEHOLDER.findall(zh_text)) == set(_PLACEHOLDER.findall(en_text)), key


def dotted_literals_in_code() -> set[str]:
    """Keys held in variables first (keyboards, chosen by condition) appear as literals."""
    found: set[str] = set()
    for path in [*(ROOT / "handlers").rglob("*.py"), *(ROOT / "console").rglob("*.py")]:
        found |= set(_ANY_KEY.findall(path.read_text(encoding="utf-8")))
    return found


def test_unused_keys_are_flagged(texts: Texts) -> None:
    unused = sorted(texts.keys["en"] - keys_used_in_code() - dotted_literals_in_code())
    assert not unused, f"catalogue keys nothing uses: {unused}"


@pytest.mark.parametrize(
    "hostile",
    ["<b>bold</b>", '<a href="https://evil.example">click</a>', "Tom & Jerry", "1 < 2 > 0"],
)
def test_user_text_is_shown_literally(texts: Texts, hostile: str) -> None:
    rendered = texts.render("en", "start", name=hostile, new=True)
    assert "<b>bold</b>" not in rendered and "<a href" not in rendered
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped.replace('"', "&#34;") in rendered or escaped in rendered
    html = texts.html("zh_CN", "fallback.unknown_command", command=hostile)
    assert "<b>" not in html and "<a " not in html


def test_catalogue_markup_is_kept(texts: Texts) -> None:
    assert texts.render("en", "help", commands=[], roles=[]).startswith("<b>Commands</b>")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh-hans", "zh_CN"), ("zh-TW", "zh_CN"), ("en", "en"), ("en-US", "en"), ("fr", "zh_CN"),
     (None, "zh_CN")],
)
def test_telegram_language_codes_map_to_locales(code: str | None, expected: str) -> None:
    assert negotiate_locale(code, "zh_CN") == expected


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_no_key_is_defined_twice(locale: str) -> None:
    """A key defined twice silently keeps the last text: a template expecting the other breaks.

    Catalogues are merged from one .po file per feature (and branches merge them by union),
    so a duplicate can hide in one file or span two.
    """
    seen: dict[str, str] = {}
    twice = []
    for path in sorted((ROOT / "locales" / locale / "LC_MESSAGES").glob("*.po")):
        for key in re.findall(r'^msgid "(.+)"$', path.read_text(encoding="utf-8"), re.M):
            if key in seen:
                twice.append(f"{key} ({seen[key]}, {path.name})")
            seen[key] = path.name
    assert not twice, twice
