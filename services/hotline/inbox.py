"""The live inbox: the cases someone can act on now, longest waiting first, with how long each
has waited and whether it is past the claim timeout (nobody claimed it in time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.hotline.case_browser import CaseBrowser
from services.hotline.waiting_alerts import WaitingAlerts
from storage.models import Case, CaseStatus, utcnow
from storage.repositories.hotline_browsing import HotlineBrowsingRepository

VIEWS = ("mine", "waiting", "open")
# Cases per page: every waiting or open case is on some page, and the total is shown.
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class InboxItem:
    case: Case
    asker_name: str
    expert_name: str
    waiting: timedelta
    overdue: bool  # waiting for a claim longer than the claim timeout
    unanswered: bool = False  # the asker's last message waits longer than the alert time


@dataclass(frozen=True, slots=True)
class InboxPage:
    items: list[InboxItem]
    waiting_count: int  # offered, unclaimed, that this viewer may see: the page title's count
    total: int = 0  # the cases of this view and category, on every page
    page: int = 1
    pages: int = 1


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Inbox:
    def __init__(self, browsing: HotlineBrowsingRepository, browser: CaseBrowser,
                 claim_timeout: timedelta, alerts: WaitingAlerts) -> None:
        self._alerts = alerts
        self._browsing = browsing
        self._browser = browser
        self._claim_timeout = claim_timeout

    async def page(self, view: str, category: str | None, viewer_id: int,
                   is_staff: bool, now: datetime | None = None, *,
                   page: int = 1) -> InboxPage:
        """One page of the view (a page past the last shows the last: cases were claimed)."""
        now = now or utcnow()
        visible_to = None if is_staff else viewer_id
        chosen = {"category": category,
                  "status": {"mine": CaseStatus.OPEN, "waiting": CaseStatus.OFFERED}.get(view),
                  "expert_id": viewer_id if view == "mine" else None,
                  "visible_to": visible_to}
        total = await self._browsing.count_active_cases(**chosen)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = await self._browsing.active_cases(**chosen, limit=PAGE_SIZE,
                                                 offset=(page - 1) * PAGE_SIZE)
        waiting_count = total if view == "waiting" else (
            await self._browsing.count_active_cases(
                category=None, status=CaseStatus.OFFERED, expert_id=None,
                visible_to=visible_to))
        names = await self._browser.names({r.asker_id for r in rows}
                                          | {r.expert_id for r in rows if r.expert_id})
        asker_waits = await self._alerts.unanswered_since(rows)
        items = []
        for case in rows:
            since = _aware(case.waiting_since or case.created_at)
            waited = max(now - since, timedelta())
            items.append(InboxItem(
                case, names.get(case.asker_id, ""),
                names.get(case.expert_id, "") if case.expert_id else "", waited,
                case.status == CaseStatus.OFFERED and waited > self._claim_timeout,
                case.id in asker_waits
                and now - asker_waits[case.id] > self._alerts.unanswered_after))
        return InboxPage(items, waiting_count, total, page, pages)
