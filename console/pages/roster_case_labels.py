"""The catalogue keys the roster and case pages choose at run time, written out whole.

A template asks for `_(labels.day["mon"])` rather than building "console_ops.day." ~ day,
so every key is a literal here (tests/test_texts.py checks that each exists in both
locales and that none is left unused), and a value without a text (a new media kind, a new
refusal) falls back to a generic text instead of showing a raw key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from console.rendering import render, text
from services.refusals import Refusal, words

UNKNOWN = "console_ops.unknown"

DAYS = {
    "mon": "console_ops.day.mon", "tue": "console_ops.day.tue", "wed": "console_ops.day.wed",
    "thu": "console_ops.day.thu", "fri": "console_ops.day.fri", "sat": "console_ops.day.sat",
    "sun": "console_ops.day.sun", "workdays": "console_ops.day.workdays",
}
HOLIDAYS = {
    "new_years_day": "console_ops.holiday.new_years_day",
    "spring_festival": "console_ops.holiday.spring_festival",
    "tomb_sweeping_day": "console_ops.holiday.tomb_sweeping_day",
    "labour_day": "console_ops.holiday.labour_day",
    "dragon_boat_festival": "console_ops.holiday.dragon_boat_festival",
    "national_day": "console_ops.holiday.national_day",
    "mid_autumn_festival": "console_ops.holiday.mid_autumn_festival",
    "anti_fascist_70th_day": "console_ops.holiday.anti_fascist_anniversary",
}
STATUSES = {"offered": "console_ops.status.offered", "open": "console_ops.status.open",
            "closed": "console_ops.status.closed"}
CLOSED_BY = {"expert": "console_ops.case.closed_by_expert",
             "asker": "console_ops.case.closed_by_asker",
             "staff": "console_ops.case.closed_by_staff"}
DELIVERY = {"delivered": "console_ops.case.delivery_delivered",
            "failed": "console_ops.case.delivery_failed",
            "held": "console_ops.case.delivery_held"}
CHATS = {"asker": "console_ops.case.in_asker_chat", "expert": "console_ops.case.in_expert_chat"}
MEDIA = {"text": "console_ops.media.text", "photo": "console_ops.media.photo",
         "document": "console_ops.media.document", "voice": "console_ops.media.voice",
         "audio": "console_ops.media.audio", "video": "console_ops.media.video"}
LEVELS = {0: "console_ops.case.level_on_duty", 1: "console_ops.case.level_backup",
          2: "console_ops.case.level_staff"}
OVERRIDE_KINDS = {"on": "console_ops.overrides.kind_on", "off": "console_ops.overrides.kind_off"}
DONE = {"reassign": "console_ops.cases.done_reassign",
        "transfer": "console_ops.cases.done_transfer", "close": "console_ops.cases.done_close"}
# The refusals the services raise (Refused from the roster's and the case's doors).
REFUSALS = frozenset({
    "console_ops.roster.error.stale", "console_ops.roster.error.unknown_day",
    "console_ops.roster.error.unknown_category", "console_ops.roster.error.not_expert",
    "console_ops.roster.error.not_in_category", "console_ops.roster.error.already_there",
    "console_ops.roster.error.not_there", "console_ops.roster.error.bad_time",
    "console_ops.roster.error.end_before_start", "console_ops.roster.error.plan_invalid",
    "console_ops.overrides.error.past", "console_ops.overrides.error.kind",
    "console_ops.overrides.error.same_person", "console_ops.overrides.error.no_duty",
    "console_ops.cases.error.no_case", "console_ops.cases.error.closed",
    "console_ops.cases.error.not_expert", "console_ops.cases.error.other_category",
    "console_ops.cases.error.is_asker", "console_ops.cases.error.same_expert",
    "console_ops.cases.error.unknown_category", "console_ops.cases.error.same_category",
    "console_ops.cases.error.changed", "console_ops.cases.error.unreachable",
})


def refusal_key(key: str) -> str:
    """A service's refusal as a key the catalogue holds (never a raw key on the page)."""
    return key if key in REFUSALS else UNKNOWN


def refusal_values(request: web.Request, refusal: Refusal) -> dict[str, Any]:
    """A refusal's values for a form's message, a nested refusal (the plan line a change
    would make invalid) already in the viewer's words."""
    return {name: words(value, lambda key, **values: text(request, key, **values))
            if isinstance(value, Refusal) else value for name, value in refusal.values.items()}


class _Table(dict):
    """A key table that answers UNKNOWN for a value it lacks (without storing it)."""

    def __missing__(self, value: object) -> str:
        return UNKNOWN


def _lookup(table: dict) -> dict:
    return _Table(table)


@dataclass(frozen=True, slots=True)
class Labels:
    """The tables above for templates: `_(labels.day[column])`; unknown values fall back."""

    day: dict[str, str] = field(default_factory=lambda: _lookup(DAYS))
    holiday: dict[str, str] = field(default_factory=lambda: _lookup(HOLIDAYS))
    status: dict[str, str] = field(default_factory=lambda: _lookup(STATUSES))
    closed_by: dict[str, str] = field(default_factory=lambda: _lookup(CLOSED_BY))
    delivery: dict[str, str] = field(default_factory=lambda: _lookup(DELIVERY))
    chat: dict[str, str] = field(default_factory=lambda: _lookup(CHATS))
    media: dict[str, str] = field(default_factory=lambda: _lookup(MEDIA))
    override: dict[str, str] = field(default_factory=lambda: _lookup(OVERRIDE_KINDS))
    level: dict[int, str] = field(default_factory=lambda: _lookup(LEVELS))


LABELS = Labels()


async def render_ops(request: web.Request, template: str, *, status: int = 200,
                     **context: Any) -> web.Response:
    """`render` with the tables above at hand as `labels`."""
    return await render(request, template, status=status, labels=LABELS, **context)
