"""The roster's front doors: one method per action, used alike by the bot, the console and
the command line.

Each checks what the action needs (refusing with services.refusals.Refused, in no language
yet), makes the change, writes the audit entry under the action key the audit page knows,
and asks for the notifications: an expert whose day staff changed is told (queued, so a
change made at the command line is told by the running bot), and a coverage gap the change
opened is announced to staff at once (the daily check catches the rest).
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

from services.actors import Actor
from services.audit import AuditLog
from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from services.hotline.messenger import CaseMessenger
from services.hotline.roster_coverage import CoverageWatch
from services.hotline.roster_dates import RosterDates
from services.hotline.roster_editing import RosterEditor, check_size
from services.hotline.roster_plan import Assignment
from services.refusals import Refused
from storage.models import ReminderState, utcnow
from storage.repositories.hotline_roster import OverrideRow
from storage.repositories.roster_duty import RosterDutyRepository

log = logging.getLogger(__name__)

CHANGE_TEMPLATE = "roster_changed"
NOTICES_PER_RUN = 200
# A claim older than this belongs to a process that died mid-send: the notice is queued again.
STALE_CLAIM = timedelta(minutes=10)
# Failures that sending again cannot mend; any other (network, rate limit) is tried again
# at every check until the day the notice is about has passed.
FINAL_FAILURES = {"blocked": ReminderState.DROPPED, "rejected": ReminderState.FAILED}


class RosterActions:
    def __init__(self, editor: RosterEditor, dates: RosterDates, experts: ExpertService,
                 duty: RosterDutyRepository, coverage: CoverageWatch, audit: AuditLog,
                 cases: CaseService, *, sends_here: bool) -> None:
        """`sends_here`: this process is the running bot, which tells people at once; a
        command-line run only queues, and the bot's next check sends (its Bot has no token
        to speak with)."""
        self._editor = editor
        self._dates = dates
        self._experts = experts
        self._duty = duty
        self._coverage = coverage
        self._audit = audit
        self._cases = cases  # its messenger (in the bot) and the staff chat
        self._sends_here = sends_here

    def today(self) -> date:
        """The local date a change is checked against ("not in the past"), as people see it
        (the coverage check and swaps follow the bot's clock, which tests set)."""
        return self._coverage.today(utcnow())

    # ------------------------------------------------------------------ the weekly plan

    @staticmethod
    def check_upload(size: int) -> None:
        """Refuses a file too large for a plan before it is downloaded."""
        check_size(size)

    async def import_csv(self, actor: Actor, data: bytes, name: str, *,
                         allow_empty: bool = False) -> int:
        """Replaces the weekly plan with a file; a refused file is on record too."""
        try:
            count = await self._editor.import_csv(data, allow_empty=allow_empty)
        except Refused as refused:
            # The reason as the audit log has always kept it ("no_shifts", "header", ...).
            await self._record(actor, "roster.import_refused", name,
                               {"line": refused.values.get("line", 0),
                                "reason": refused.key.removeprefix("roster.csv.")})
            raise
        await self._record(actor, "roster.import", name, {"shifts": count})
        await self._changed()
        return count

    async def add_to_cell(self, actor: Actor, version: str, category: str, day: str,
                          start: str, end: str, expert_id: int) -> Assignment:
        added = await self._editor.add(version, category, day, start, end, expert_id)
        await self._record(actor, "roster.shift_add",
                           f"{category} {day} {added.start}-{added.end}", {"expert": expert_id})
        await self._changed()
        return added

    async def remove_from_cell(self, actor: Actor, version: str, category: str, day: str,
                               start: str, end: str, expert_id: int) -> Assignment:
        removed = await self._editor.remove(version, category, day, start, end, expert_id)
        await self._record(actor, "roster.shift_remove", f"{category} {day} {start}-{end}",
                           {"expert": expert_id})
        await self._changed()
        return removed

    async def retime_cell(self, actor: Actor, version: str, category: str, day: str,
                          start: str, end: str, new_start: str, new_end: str) -> int:
        moved = await self._editor.retime(version, category, day, start, end, new_start,
                                          new_end)
        await self._record(actor, "roster.shift_retime", f"{category} {day} {start}-{end}",
                           {"start": new_start, "end": new_end})
        await self._changed()
        return moved

    # ------------------------------------------------------------------ dated exceptions

    async def add_override(self, actor: Actor, day: date, expert_id: int, kind: str,
                           categories: tuple[str, ...] = (), start: str = "",
                           end: str = "") -> int:
        """Leave ("off") or an extra shift ("on") on a date; the expert is told."""
        override_id = await self._dates.add_override(self.today(), day, expert_id, kind,
                                                     categories, start, end)
        await self._record(actor, "roster.override_add", f"{expert_id} {kind} {day}",
                           {"id": override_id, "categories": list(categories),
                            "start": start or None, "end": end or None})
        row = await self._dates.override(override_id)
        if row is not None:
            await self._tell(actor, [row], removed=False)
        await self._changed()
        return override_id

    async def swap(self, actor: Actor, day: date, expert_id: int,
                   replacement_id: int) -> list[int]:
        """Staff swap on someone's behalf: the expert off that day, the replacement on their
        shifts; both are told."""
        added = await self._dates.swap(self.today(), day, expert_id, replacement_id)
        await self._record(actor, "roster.override_swap", f"{expert_id} swap {day}",
                           {"ids": added, "replacement": replacement_id})
        rows = [row for row in [await self._dates.override(i) for i in added] if row]
        await self._tell(actor, rows, removed=False)
        await self._changed()
        return added

    async def remove_override(self, actor: Actor, override_id: int) -> OverrideRow:
        removed = await self._dates.remove_override(override_id)
        if removed is None:
            raise Refused("roster.override.gone", id=override_id)
        await self._record(actor, "roster.override_remove",
                           f"{removed.telegram_id} {removed.kind} {removed.day}",
                           {"id": removed.id, "categories": list(removed.categories),
                            "start": removed.start, "end": removed.end})
        await self._tell(actor, [removed], removed=True)
        await self._changed()
        return removed

    # ------------------------------------------------------------------ /duty off and on

    async def step(self, actor: Actor, off: bool) -> None:
        """An expert steps off duty for now (/duty off) or back on."""
        if await self._experts.get(actor.telegram_id) is None:
            raise Refused("hotline.duty.not_listed")
        await self._experts.set_stepped_off(actor.telegram_id, off)
        await self._record(actor, "roster.duty_off" if off else "roster.duty_on",
                           str(actor.telegram_id), {})
        await self._changed()

    # ------------------------------------------------------------------ notifications

    async def _changed(self) -> None:
        """Sends what the change asked for where a bot is at hand (queued notices, gaps)."""
        if not self._sends_here:
            return
        messenger = self._cases.messenger
        await self.deliver_notices(messenger)
        await self._coverage.announce(messenger, self._cases.staff_chat_id)

    async def _tell(self, actor: Actor, rows: list[OverrideRow], *, removed: bool) -> None:
        """Queues a notice to each expert whose day someone else changed."""
        names = {c.key: (c.name_zh, c.name_en) for c in await self._experts.categories()}
        notices = []
        for row in rows:
            if row.telegram_id == actor.telegram_id:
                continue  # their own doing: nothing to tell
            data = {"kind": row.kind, "removed": removed, "day": row.day.isoformat(),
                    "start": row.start or "", "end": row.end or "",
                    "categories": [names.get(c, (c, c)) for c in row.categories]}
            notices.append((row.telegram_id, CHANGE_TEMPLATE,
                            json.dumps(data, ensure_ascii=False)))
        await self._duty.queue_notices(notices)

    async def deliver_notices(self, messenger: CaseMessenger) -> int:
        """Sends the queued notices (each claimed by one process first); how many arrived.
        A notice leaves the queue only once sent or refused for good: one that failed for
        now is tried again by the next check, as is one whose process died mid-send."""
        now = utcnow()
        await self._duty.release_stale_notices(now - STALE_CLAIM)
        sent = 0
        today = self._coverage.today()  # by the bot's clock, as the coverage check
        for notice in await self._duty.queued_notices(NOTICES_PER_RUN):
            if not await self._duty.take_notice(notice.id, now):
                continue
            if _moot(notice.data, today):
                # Failing sends are retried until they arrive or the day they are about
                # is over: news of a duty already past is no use to anyone.
                log.info("a roster change notice to %s dropped: its day has passed",
                         notice.chat_id)
                await self._duty.finish_notice(notice.id, ReminderState.DROPPED, utcnow())
                continue
            delivery = await messenger.send_rendered(notice.chat_id, notice.template,
                                                     **json.loads(notice.data))
            if delivery.ok:
                sent += 1
                await self._duty.finish_notice(notice.id, ReminderState.SENT, utcnow())
                continue
            log.warning("a roster change notice to %s did not arrive (%s)",
                        notice.chat_id, delivery.failure)
            final = FINAL_FAILURES.get(delivery.failure or "")
            if final is None:
                await self._duty.release_notice(notice.id)
            else:
                await self._duty.finish_notice(notice.id, final, utcnow())
        return sent

    async def _record(self, actor: Actor, action: str, target: str,
                      detail: dict[str, object]) -> None:
        await self._audit.record(actor.telegram_id, action, target=target,
                                 detail={**actor.note, **detail}, channel=actor.channel)


def _moot(data: str, today: date) -> bool:
    day = json.loads(data).get("day")
    return bool(day) and date.fromisoformat(day) < today
