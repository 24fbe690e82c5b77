"""The expert hotline: experts and their roster, cases, routing, escalation, transcripts."""

from __future__ import annotations

from dataclasses import dataclass

from services.hotline.calendar_service import CalendarService
from services.hotline.case_actions import CaseActions
from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from services.hotline.relay import RelayService
from services.hotline.reports import ReportService
from services.hotline.roster import RosterService


@dataclass(slots=True)
class HotlineServices:
    experts: ExpertService
    roster: RosterService
    cases: CaseService
    actions: CaseActions  # the front doors of every action on a case
    relay: RelayService
    reports: ReportService
    calendar: CalendarService
