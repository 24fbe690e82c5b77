"""Waiting alerts: staff are told, once, of a case nobody claimed within the claim timeout
and of an asker's message left unanswered longer than a set time (a setting). The alert goes
to the case's staff topic, and the live console inbox refreshes to show the mark.

Once means once per waiting period (a case transferred waits anew) and once per unanswered
message; the alerts table's unique key decides, so a restart or a second runner repeats none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.hotline.cases import CaseService
from storage.models import Case, CaseStatus, utcnow
from storage.repositories.hotline_browsing import HotlineBrowsingRepository
from storage.repositories.hotline_notes import CaseAlertRepository

SCAN_LIMIT = 1000


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class WaitingAlerts:
    def __init__(self, cases: CaseService, browsing: HotlineBrowsingRepository,
                 alerts: CaseAlertRepository, unanswered_after: timedelta) -> None:
        self._cases = cases
        self._browsing = browsing
        self._alerts = alerts
        self.unanswered_after = unanswered_after

    async def unanswered_since(self, cases: list[Case]) -> dict[int, datetime]:
        """Open cases whose latest message is the asker's: since when it waits."""
        open_ids = [c.id for c in cases if c.status == CaseStatus.OPEN and c.id is not None]
        latest = await self._alerts.last_messages(open_ids)
        return {case_id: _aware(m.created_at) for case_id, m in latest.items()
                if m.sender_role == "asker"}

    async def announce_due(self, now: datetime | None = None) -> int:
        """Alerts staff of every case newly past a limit; returns how many alerts went out."""
        now = now or utcnow()
        active = await self._browsing.active_cases(category=None, status=None, expert_id=None,
                                                   visible_to=None, limit=SCAN_LIMIT)
        sent = 0
        for case in active:
            since = _aware(case.waiting_since or case.created_at)
            if (case.status == CaseStatus.OFFERED
                    and now - since > self._cases.claim_timeout
                    and await self._alerts.claim(case.id, "overdue", since.isoformat())):
                minutes = int((now - since).total_seconds() // 60)
                await self._tell_staff(case, "hotline.alert.overdue", minutes=minutes)
                sent += 1
        waiting = await self.unanswered_since(active)
        latest = await self._alerts.last_messages(list(waiting))
        for case in active:
            since = waiting.get(case.id)
            if (since is not None and now - since > self.unanswered_after
                    and await self._alerts.claim(case.id, "unanswered",
                                                 str(latest[case.id].id))):
                minutes = int((now - since).total_seconds() // 60)
                await self._tell_staff(case, "hotline.alert.unanswered", minutes=minutes)
                sent += 1
        return sent

    async def _tell_staff(self, case: Case, key: str, **values: object) -> None:
        staff_chat = self._cases.staff_chat_id
        if staff_chat is not None and case.staff_thread_id is not None:
            await self._cases.messenger.notify(staff_chat, key, thread_id=case.staff_thread_id,
                                               number=case.number, **values)
        self._cases.events.publish(case.id)
