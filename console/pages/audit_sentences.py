"""The audit log as sentences ("王伟 reassigned case C-2026-0012 to 李娜"), in the viewer's
language, with the case, idea, announcement or course linked.

Each stored action has a sentence; one without (a new action) falls back to a generic
sentence that names the stored action, never to a catalogue key (and
tests/test_audit_action_names.py wants one for every action the code records).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from services.audit import AuditRecord

SENTENCES = {
    "console.sign_in": "records.audit.console_sign_in",
    "console.sign_out": "records.audit.console_sign_out",
    "roster.update": "records.audit.roster_update",
    "roster.fallback_set": "hotline.fallback.audit_set",  # issue 15
    "roster.fallback_clear": "hotline.fallback.audit_clear",
    "roster.import": "records.audit.roster_import",
    "roster.import_refused": "records.audit.roster_import_refused",
    "roster.export": "records.audit.roster_export",
    "roster.shift_add": "records.audit.roster_shift_add",
    "roster.shift_remove": "records.audit.roster_shift_remove",
    "roster.shift_retime": "records.audit.roster_shift_retime",
    "roster.override_add": "records.audit.roster_override_add",
    "roster.override_remove": "records.audit.roster_override_remove",
    "roster.override_swap": "records.audit.roster_override_swap",
    "cases.reassign": "records.audit.cases_reassign",
    "cases.transfer": "records.audit.cases_transfer",
    "cases.close": "records.audit.cases_close",
    "cases.take_over": "records.audit.cases_take_over",
    "cases.release": "records.audit.cases_release",
    "cases.reopen": "records.audit.cases_reopen",
    "cases.escalate": "records.audit.cases_escalate",
    "cases.export": "records.audit.cases_export",
    "cases.block": "records.audit.cases_block",
    "cases.unblock": "records.audit.cases_unblock",
    "experts.add": "records.audit.experts_add",
    "experts.update": "records.audit.experts_update",
    "categories.set": "records.audit.categories_set",
    "places.import": "records.audit.places_import",
    "announcements.send": "records.audit.announcements_send",
    "announcements.schedule": "records.audit.announcements_schedule",
    "announcements.cancel": "records.audit.announcements_cancel",
    "announcements.topic_set": "records.audit.announcements_topic_set",
    "trainings.create": "records.audit.trainings_create",
    "trainings.edit": "records.audit.trainings_edit",
    "trainings.reschedule": "records.audit.trainings_reschedule",
    "trainings.place": "records.audit.trainings_place",
    "trainings.session_add": "records.audit.trainings_session_add",
    "trainings.session_remove": "records.audit.trainings_session_remove",
    "trainings.cancel": "records.audit.trainings_cancel",
    "trainings.attendance": "records.audit.trainings_attendance",
    "trainings.export": "records.audit.trainings_export",
    "ideas.status": "records.audit.ideas_status",
    "ideas.status_set": "records.audit.ideas_status_set",
    "ideas.publish": "records.audit.ideas_publish",
    "ideas.note": "records.audit.ideas_note",
    "ideas.duplicate": "records.audit.ideas_duplicate",
    "ideas.hide": "records.audit.ideas_hide",
    "ideas.show": "records.audit.ideas_show",
    "ideas.export": "records.audit.ideas_export",
    "users.grant": "records.audit.users_grant",
    "users.revoke": "records.audit.users_revoke",
    "roster.duty_off": "records.audit.roster_duty_off",
    "roster.duty_on": "records.audit.roster_duty_on",
    "roster.swap_offer": "records.audit.roster_swap_offer",
    "roster.swap_take": "records.audit.roster_swap_take",
    "roster.swap_withdraw": "records.audit.roster_swap_withdraw",
    "calendar.import": "records.audit.calendar_import",
    "calendar.import_refused": "records.audit.calendar_import_refused",
    "calendar.day_set": "records.audit.calendar_day_set",
    "calendar.day_remove": "records.audit.calendar_day_remove",
    "kb.import": "records.audit.kb_import",
    "kb.approve": "records.audit.kb_approve",
    "kb.save": "records.audit.kb_save",
    "kb.retire": "records.audit.kb_retire",
    "kb.synonym": "records.audit.kb_synonym",
}
_CASE = re.compile(r"C-\d{4}-\d{4,}")
_IDEA = re.compile(r"I-\d{4}-\d{4,}")
_ANNOUNCEMENT = re.compile(r"announcement (\d+)")
_COURSE = re.compile(r"course (\d+)")

Text = Callable[..., str]


@dataclass(frozen=True, slots=True)
class Sentence:
    html: Markup
    link: str | None


def _detail(entry: AuditRecord) -> dict:
    try:
        found = json.loads(entry.detail) if entry.detail else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _changed_to(detail: dict, name: str) -> object:
    """The "after" half of a [before, after] pair the case actions record."""
    pair = detail.get(name)
    return pair[1] if isinstance(pair, list) and len(pair) == 2 else None


class AuditSentences:
    """Built once per page: names and idea ids are looked up once for all entries."""

    def __init__(self, text: Text, names: dict[int, str], categories: dict[str, str],
                 idea_ids: Callable[[str], Awaitable[int | None]]) -> None:
        self._text = text
        self._names = names
        self._categories = categories
        self._idea_ids = idea_ids

    async def _target(self, target: str) -> tuple[str, str | None]:
        """The target in words, and the console page it links to (if any)."""
        if _CASE.fullmatch(target):
            return target, f"/console/cases/{target}"
        if _IDEA.fullmatch(target):
            idea_id = await self._idea_ids(target)
            return target, f"/console/ideas/{idea_id}" if idea_id else None
        if found := _ANNOUNCEMENT.fullmatch(target):
            return (self._text("records.audit.target.announcement", id=found[1]),
                    f"/console/announcements/{found[1]}")
        if found := _COURSE.fullmatch(target):
            return (self._text("records.audit.target.course", id=found[1]),
                    f"/console/trainings/{found[1]}")
        return target, None

    def _person(self, telegram_id: object) -> str:
        if not isinstance(telegram_id, int):
            return self._text("records.audit.nobody")
        return self._names.get(telegram_id) or str(telegram_id)

    async def of(self, entry: AuditRecord) -> Sentence:
        words, link = await self._target(entry.target)
        target = (Markup('<a href="{}">{}</a>').format(link, words) if link
                  else escape(words))
        detail = _detail(entry)
        values: dict[str, object] = {
            "who": escape(self._person(entry.telegram_id)), "target": target}
        key = SENTENCES.get(entry.action)
        if entry.action == "cases.reassign":
            values["expert"] = escape(self._person(_changed_to(detail, "expert")))
        elif entry.action == "cases.transfer":
            category = _changed_to(detail, "category")
            values["category"] = escape(self._categories.get(str(category), str(category)))
        if key is None:
            key, values["action"] = "records.audit.other", escape(entry.action)
        # The catalogue text is ours; every value above is escaped or built as markup here.
        return Sentence(Markup(escape(self._text(key)) % values), link)  # noqa: S704
