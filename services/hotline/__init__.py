"""The expert hotline: experts and their roster, cases, routing, escalation, transcripts,
and the staff's work on them in the web console (roster editing, browsing, case actions)."""

from __future__ import annotations

from dataclasses import dataclass

from services.hotline.calendar_service import CalendarService
from services.hotline.case_actions import CaseActions
from services.hotline.case_browser import CaseBrowser
from services.hotline.case_files import CaseFiles
from services.hotline.cases import CaseService
from services.hotline.console_work import CaseWork
from services.hotline.experts import ExpertService
from services.hotline.inbox import Inbox
from services.hotline.relay import RelayService
from services.hotline.reports import ReportService
from services.hotline.roster import RosterService
from services.hotline.roster_dates import RosterDates
from services.hotline.roster_editing import RosterEditor
from services.hotline.snippets import Snippets
from services.hotline.waiting_alerts import WaitingAlerts


@dataclass(slots=True)
class HotlineServices:
    experts: ExpertService
    roster: RosterService
    cases: CaseService
    relay: RelayService
    reports: ReportService
    calendar: CalendarService
    # The staff's tools (the web console, /snippets, the waiting alerts).
    roster_editor: RosterEditor
    roster_dates: RosterDates
    case_browser: CaseBrowser
    case_actions: CaseActions
    case_work: CaseWork
    case_files: CaseFiles
    inbox: Inbox
    waiting_alerts: WaitingAlerts
    snippets: Snippets
