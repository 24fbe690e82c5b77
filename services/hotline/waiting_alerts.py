"""Waiting alerts: staff are told, once, of a case nobody claimed within the claim timeout
and of an asker's message left unanswered longer than a set time (a setting). The alert goes
to the case's staff topic, and the live console inbox refreshes to show the mark.

Once means once per waiting period (a case transferred waits anew) and once per unanswered
message; the alerts table's unique key decides, so a restart or a second runner repeats none.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from services.hotline.cases import CaseService
from storage.models import Case, CaseStatus, utcnow
from storage.repositories.hotline_browsing import HotlineBrowsingRepository
from storage.repositories.hotline_notes import CaseAlertRepository

SCAN_LIMIT = 1000

log = logging.getLogger(__name__)


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
                sent += await self._tell_staff(case, ("overdue", since.isoformat()),
                                               "hotline.alert.overdue", minutes=minutes)
        waiting = await self.unanswered_since(active)
        latest = await self._alerts.last_messages(list(waiting))
        for case in active:
            since = waiting.get(case.id)
            mark = str(latest[case.id].id) if since is not None else ""
            if (since is not None and now - since > self.unanswered_after
                    and await self._alerts.claim(case.id, "unanswered", mark)):
                minutes = int((now - since).total_seconds() // 60)
                sent += await self._tell_staff(case, ("unanswered", mark),
                                               "hotline.alert.unanswered", minutes=minutes)
        return sent

    async def _tell_staff(self, case: Case, alert: tuple[str, str], key: str,
                          **values: object) -> bool:
        """The alert in the case's staff topic (the group's general chat when the topic
        could not be made). One that failed for now is released for the next check; with
        no staff group the console's mark is the alert."""
        assert case.id is not None
        self._cases.events.publish(case.id)
        staff_chat = self._cases.staff_chat_id
        if staff_chat is None:
            return True
        delivery = await self._cases.messenger.notify(
            staff_chat, key, thread_id=case.staff_thread_id, number=case.number, **values)
        if delivery.ok or delivery.final:
            if not delivery.ok:
                log.warning("waiting alert of case %s refused by the staff group: %s",
                            case.number, delivery.failure)
            return delivery.ok
        await self._alerts.release(case.id, *alert)
        log.warning("waiting alert of case %s did not arrive (%s); the next check tries again",
                    case.number, delivery.failure)
        return False
