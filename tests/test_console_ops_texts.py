"""Every value the roster and case pages show through a table of keys has its text: the
refusals the services raise, days, holidays, statuses, media kinds."""

from __future__ import annotations

import re
from pathlib import Path

import chinese_calendar

from bot.settings import SUPPORTED_LOCALES
from console.pages import ops_texts
from handlers.hotline_common import SUPPORTED_KINDS
from services.hotline.roster_plan import DAY_COLUMNS
from services.texts import Texts
from storage.models import CaseStatus

SERVICES = Path(__file__).resolve().parent.parent / "services" / "hotline"


def test_every_refusal_the_services_raise_is_listed() -> None:
    raised = set()
    for path in SERVICES.glob("*.py"):
        raised |= set(re.findall(r'"(console_ops\.[a-z_.]+)"', path.read_text("utf-8")))
    assert raised == set(ops_texts.REFUSALS)
    assert ops_texts.refusal_key("console_ops.roster.error.stale") == (
        "console_ops.roster.error.stale")
    assert ops_texts.refusal_key("something.else") == ops_texts.UNKNOWN


def test_every_value_has_a_key_and_every_key_a_text() -> None:
    assert set(ops_texts.DAYS) == set(DAY_COLUMNS)
    assert set(ops_texts.HOLIDAYS) == {h.name for h in chinese_calendar.Holiday}
    assert set(ops_texts.STATUSES) == {CaseStatus.OFFERED, CaseStatus.OPEN, CaseStatus.CLOSED}
    assert set(ops_texts.MEDIA) == set(SUPPORTED_KINDS)
    assert ops_texts.LABELS.media["sticker"] == ops_texts.UNKNOWN
    texts = Texts(SUPPORTED_LOCALES, "zh_CN")
    tables = [ops_texts.DAYS, ops_texts.HOLIDAYS, ops_texts.STATUSES, ops_texts.CLOSED_BY,
              ops_texts.DELIVERY, ops_texts.CHATS, ops_texts.MEDIA, ops_texts.OVERRIDE_KINDS,
              ops_texts.DONE, ops_texts.LEVELS]
    keys = {key for table in tables for key in table.values()} | set(ops_texts.REFUSALS)
    for locale in SUPPORTED_LOCALES:
        assert keys | {ops_texts.UNKNOWN} <= texts.keys[locale]
