"""Builders of the feature service groups that bot.app puts together (and that the CLI uses
on their own): the hotline, delivery, trainings and the web console's lists. Each takes the
settings and the database and builds nothing else; only the composition root calls them."""

from __future__ import annotations

from datetime import timedelta

from bot.settings import Settings
from services.announcements.history import AnnouncementHistory
from services.audit import AuditLog
from services.comms_console import CommsConsole
from services.console_forms import FormTokens
from services.delivery.engine import DeliveryEngine, EngineSettings
from services.delivery.limits import Limits, RateBudget, RateLimiter
from services.delivery.shared_limits import RedisRateLimiter, budget_namespace
from services.hotline import HotlineServices
from services.hotline.calendar_service import CalendarService
from services.hotline.case_actions import CaseActions
from services.hotline.case_cards import SuggestedQuestions
from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from services.hotline.relay import RelayService
from services.hotline.reports import ReportService
from services.hotline.roster import RosterService
from services.hotline.waiting_transfer import WaitingCaseMover
from services.ideas.board import IdeaBoard
from services.people import PeopleService
from services.profiles import ProfileService
from services.texts import Texts
from services.trainings.board import TrainingBoard
from services.trainings.clock import Clock
from services.trainings.notices import NoticeSender
from services.trainings.offsets import parse_offsets
from services.trainings.reminders import ReminderDispatcher
from services.trainings.service import TrainingService
from services.trainings.sessions import CourseSessions
from storage.db import Database
from storage.repositories.announcement_history import AnnouncementHistoryRepository
from storage.repositories.announcements import AnnouncementRepository
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_handoffs import HandoffRepository
from storage.repositories.hotline_picks import PendingPickRepository
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.hotline_waiting import WaitingCaseRepository
from storage.repositories.idea_board import IdeaBoardRepository
from storage.repositories.ideas import IdeaRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.training_board import TrainingBoardRepository
from storage.repositories.training_notices import NoticeRepository
from storage.repositories.training_reminders import ReminderRepository
from storage.repositories.training_sessions import TrainingSessionRepository
from storage.repositories.trainings import TrainingRepository
from storage.repositories.working_calendar import WorkingCalendarRepository


def build_hotline_services(settings: Settings, database: Database, people: PeopleService,
                           texts: Texts, profiles: ProfileService, audit: AuditLog,
                           suggested_questions: SuggestedQuestions | None = None
                           ) -> HotlineServices:
    rosters = RosterRepository(database)
    experts = ExpertService(rosters, people, texts)
    calendar = CalendarService(WorkingCalendarRepository(database))
    roster = RosterService(rosters, settings.timezone, calendar)
    cases = CaseService(CaseRepository(database), experts, roster, people, profiles,
                        claim_timeout=timedelta(seconds=settings.claim_timeout),
                        staff_chat_id=settings.staff_chat_id,
                        max_open_cases=settings.open_cases_per_asker,
                        suggested_questions=suggested_questions,
                        handoffs=HandoffRepository(database))
    waiting = WaitingCaseMover(cases, people, WaitingCaseRepository(database))
    return HotlineServices(
        experts=experts, roster=roster, cases=cases,
        actions=CaseActions(cases, experts, waiting, audit),
        relay=RelayService(cases, experts, settings.relay_messages_per_minute,
                           PendingPickRepository(database)),
        reports=ReportService(CaseRepository(database), experts, settings.timezone, people),
        calendar=calendar,
    )


def build_send_budget(settings: Settings) -> RateBudget:
    """Telegram's limits for this bot token: in memory, or in Redis shared by every process."""
    url = settings.budget_redis_url
    limits = Limits(global_rate=settings.send_rate)
    if url is None:
        return RateLimiter(limits)
    token = settings.bot_token.get_secret_value() if settings.bot_token else "sandbox"
    return RedisRateLimiter(url, budget_namespace(token), limits)


def build_delivery(settings: Settings, database: Database
                   ) -> tuple[DeliveryEngine, AnnouncementRepository, OutboxRepository]:
    outbox = OutboxRepository(database)
    engine = DeliveryEngine(
        outbox, build_send_budget(settings),
        EngineSettings(lease=timedelta(seconds=settings.delivery_lease_seconds)))
    return engine, AnnouncementRepository(database), outbox


def build_training_service(settings: Settings, database: Database) -> TrainingService:
    return TrainingService(
        TrainingRepository(database), ReminderRepository(database), NoticeRepository(database),
        Clock(), settings.zone,
        parse_offsets(settings.reminder_offsets), parse_offsets(settings.exam_reminder_offsets),
        settings.exam_date)


def build_training_dispatcher(trainings: TrainingService, texts: Texts,
                              settings: Settings) -> ReminderDispatcher:
    notices = NoticeSender(trainings.notices, trainings.repository, trainings.reminders, texts,
                           trainings.clock, settings.zone)
    return ReminderDispatcher(trainings.repository, trainings.reminders, notices, texts,
                              trainings.clock, settings.zone)


def build_comms_console(settings: Settings, database: Database,
                        trainings: TrainingService) -> CommsConsole:
    """The web console's lists of announcements, courses and ideas (issue 8)."""
    return CommsConsole(
        announcement_history=AnnouncementHistory(AnnouncementHistoryRepository(database)),
        training_board=TrainingBoard(TrainingBoardRepository(database)),
        idea_board=IdeaBoard(IdeaBoardRepository(database), IdeaRepository(database),
                             settings.timezone),
        form_tokens=FormTokens(ConsoleFormRepository(database)),
        course_sessions=CourseSessions(trainings, TrainingSessionRepository(database)))
