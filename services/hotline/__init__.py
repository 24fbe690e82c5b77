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
from services.hotline.duty_cases import DutyCases
from services.hotline.expert_figures import ExpertFigures
from services.hotline.experts import ExpertService
from services.hotline.inbox import Inbox
from services.hotline.relay import RelayService
from services.hotline.reports import ReportService
from services.hotline.roster import RosterService
from services.hotline.roster_actions import RosterActions
from services.hotline.roster_coverage import CoverageWatch
from services.hotline.roster_dates import RosterDates
from services.hotline.roster_editing import RosterEditor
from services.hotline.roster_swaps import ShiftSwaps
from services.hotline.snippets import Snippets
from services.hotline.waiting_alerts import WaitingAlerts


@dataclass(slots=True)
class HotlineServices:
    experts: ExpertService
    roster: RosterService
    cases: CaseService
    actions: CaseActions  # the front doors of every action on a case
    relay: RelayService
    reports: ReportService
    calendar: CalendarService
    duty_cases: DutyCases  # issue 15: fallbacks, declines, rating follow-ups, sample, desk
    roster_actions: RosterActions  # the front doors of every roster change
    coverage: CoverageWatch  # gaps of the next two weeks, announced once
    swaps: ShiftSwaps  # shift swaps offered and taken in Telegram
    # The staff's tools (the web console, /snippets, the waiting alerts).
    roster_editor: RosterEditor  # the weekly plan's grid and CSV, read and checked
    roster_dates: RosterDates  # coming days and overrides
    case_browser: CaseBrowser
    case_work: CaseWork
    case_files: CaseFiles
    inbox: Inbox
    waiting_alerts: WaitingAlerts
    snippets: Snippets
    expert_figures: ExpertFigures  # /mystats
