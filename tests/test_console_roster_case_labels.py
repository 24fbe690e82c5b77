"""Every value the roster and case pages show through a table of keys has its text: the
refusals the services raise, days, holidays, statuses, media kinds."""

from __future__ import annotations

import re
from pathlib import Path

import chinese_calendar

from bot.settings import SUPPORTED_LOCALES
from console.pages import roster_case_labels as case_labels
from handlers.hotline_input import SUPPORTED_KINDS
from services.hotline.roster_plan import DAY_COLUMNS
from services.texts import Texts
from storage.models import CaseStatus

SERVICES = Path(__file__).resolve().parent.parent / "services" / "hotline"


def test_every_refusal_the_services_raise_is_listed() -> None:
    raised = set()
    for path in SERVICES.glob("*.py"):
        raised |= set(re.findall(r'"(console_ops\.[a-z_.]+)"', path.read_text("utf-8")))
    assert raised == set(case_labels.REFUSALS)
    assert case_labels.refusal_key("console_ops.roster.error.stale") == (
        "console_ops.roster.error.stale")
    assert case_labels.refusal_key("something.else") == case_labels.UNKNOWN


def test_every_value_has_a_key_and_every_key_a_text() -> None:
    assert set(case_labels.DAYS) == set(DAY_COLUMNS)
    assert set(case_labels.HOLIDAYS) == {h.name for h in chinese_calendar.Holiday}
    assert set(case_labels.STATUSES) == {CaseStatus.OFFERED, CaseStatus.OPEN, CaseStatus.CLOSED}
    assert set(case_labels.MEDIA) == set(SUPPORTED_KINDS)
    assert case_labels.LABELS.media["sticker"] == case_labels.UNKNOWN
    texts = Texts(SUPPORTED_LOCALES, "zh_CN")
    tables = [case_labels.DAYS, case_labels.HOLIDAYS, case_labels.STATUSES, case_labels.CLOSED_BY,
              case_labels.DELIVERY, case_labels.CHATS, case_labels.MEDIA,
              case_labels.OVERRIDE_KINDS, case_labels.DONE,
              case_labels.LEVELS]
    keys = {key for table in tables for key in table.values()} | set(case_labels.REFUSALS)
    for locale in SUPPORTED_LOCALES:
        assert keys | {case_labels.UNKNOWN} <= texts.keys[locale]
