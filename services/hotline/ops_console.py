"""The hotline's part of the staff web console (issue 8): roster editing, case browsing
and staff actions on cases, built once by bot/app.py on top of the bot's own services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.hotline import HotlineServices
from services.hotline.case_browser import CaseBrowser
from services.hotline.console_work import CaseWork
from services.hotline.inbox import Inbox
from services.hotline.roster_dates import RosterDates
from services.hotline.roster_editing import RosterEditor
from services.hotline.snippets import Snippets
from services.hotline.waiting_alerts import WaitingAlerts
from services.people import PeopleService
from services.profiles import ProfileService
from storage.db import Database
from storage.repositories.hotline_browsing import HotlineBrowsingRepository
from storage.repositories.hotline_notes import (
    CaseAlertRepository,
    CaseNoteRepository,
    SnippetRepository,
)
from storage.repositories.hotline_roster import RosterRepository


@dataclass(frozen=True, slots=True)
class OpsConsole:
    roster: RosterEditor
    dates: RosterDates
    cases: CaseBrowser
    work: CaseWork
    inbox: Inbox
    alerts: WaitingAlerts
    snippets: Snippets


def build_ops_console(database: Database, hotline: HotlineServices, people: PeopleService,
                      profiles: ProfileService,
                      unanswered_after: timedelta = timedelta(minutes=30)) -> OpsConsole:
    browsing = HotlineBrowsingRepository(database)
    rosters = RosterRepository(database)
    notes = CaseNoteRepository(database)
    cases = CaseBrowser(browsing, hotline, people, profiles, notes)
    alerts = WaitingAlerts(hotline.cases, browsing, CaseAlertRepository(database),
                           unanswered_after)
    return OpsConsole(
        roster=RosterEditor(rosters, hotline.roster, hotline.experts),
        dates=RosterDates(rosters, browsing, hotline.roster, hotline.experts),
        cases=cases,
        work=CaseWork(hotline.cases, hotline.relay, notes),
        inbox=Inbox(browsing, cases, hotline.cases.claim_timeout, alerts),
        alerts=alerts,
        snippets=Snippets(SnippetRepository(database), hotline.cases, hotline.experts),
    )
