"""Builders of the feature service groups that bot.app puts together (and that the CLI uses
on their own): the hotline, delivery, trainings and the web console's lists. Each takes the
settings and the database and builds nothing else; only the composition root calls them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.settings import Settings
from services.announcements.history import AnnouncementHistory
from services.announcements.subscriptions import SubscriptionService
from services.audit import AuditLog
from services.comms_console import CommsConsole
from services.console_forms import FormTokens
from services.delivery.engine import DeliveryEngine, EngineSettings
from services.delivery.limits import Limits, RateBudget, RateLimiter
from services.delivery.shared_limits import RedisRateLimiter, budget_namespace
from services.hotline import HotlineServices
from services.hotline.calendar_service import CalendarService
from services.hotline.case_base import SuggestedQuestions
from services.hotline.case_events import CaseEvents
from services.hotline.case_sample import CaseSample
from services.hotline.cases import CaseService
from services.hotline.duty_cases import DutyCases
from services.hotline.expert_desk import ExpertDesk
from services.hotline.experts import ExpertService
from services.hotline.fallback import CategoryFallbacks
from services.hotline.offer_decline import OfferDeclines
from services.hotline.rating_notices import CaseLink, RatingNotices
from services.hotline.relay import RelayService
from services.hotline.reports import ReportService
from services.hotline.roster import RosterService
from services.hotline.roster_actions import RosterActions
from services.hotline.roster_coverage import CoverageWatch
from services.hotline.roster_dates import RosterDates
from services.hotline.roster_editing import RosterEditor
from services.hotline.roster_swaps import ShiftSwaps
from services.ideas import IdeaRules, IdeaService
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
from storage.models import utcnow
from storage.repositories.announcement_history import AnnouncementHistoryRepository
from storage.repositories.announcement_subscriptions import AnnouncementSubscriptions
from storage.repositories.announcements import AnnouncementRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.hotline_browsing import HotlineBrowsingRepository
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_changed_cases import ChangedCaseRepository
from storage.repositories.hotline_duty_cases import DutyCaseRepository
from storage.repositories.hotline_picks import PendingPickRepository
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.idea_board import IdeaBoardRepository
from storage.repositories.ideas import IdeaRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.roster_duty import RosterDutyRepository
from storage.repositories.training_board import TrainingBoardRepository
from storage.repositories.training_notices import NoticeRepository
from storage.repositories.training_reminders import ReminderRepository
from storage.repositories.training_sessions import TrainingSessionRepository
from storage.repositories.trainings import TrainingRepository
from storage.repositories.working_calendar import WorkingCalendarRepository


def console_case_path(number: str) -> str:
    """A case's console page without the server's address (the CLI never sends links)."""
    return f"/console/cases/{number}"


def build_hotline_services(settings: Settings, database: Database, people: PeopleService,
                           texts: Texts, profiles: ProfileService,
                           suggested_questions: SuggestedQuestions | None = None,
                           case_link: CaseLink = console_case_path,
                           clock: Callable[[], datetime] = utcnow) -> HotlineServices:
    rosters = RosterRepository(database)
    experts = ExpertService(rosters, people, texts)
    calendar = CalendarService(WorkingCalendarRepository(database))
    roster = RosterService(rosters, settings.timezone, calendar)
    duty_repository = DutyCaseRepository(database)
    fallbacks = CategoryFallbacks(duty_repository, experts, people,
                                  AuditLog(AuditRepository(database)))
    cases = CaseService(CaseRepository(database), experts, roster, people, profiles,
                        claim_timeout=timedelta(seconds=settings.claim_timeout),
                        staff_chat_id=settings.staff_chat_id,
                        max_open_cases=settings.open_cases_per_asker,
                        suggested_questions=suggested_questions,
                        fallback_for=fallbacks.person_for,
                        # Live console pages also follow what other processes change.
                        events=CaseEvents(ChangedCaseRepository(database)))
    duty_cases = DutyCases(
        fallbacks=fallbacks, declines=OfferDeclines(cases, duty_repository),
        ratings=RatingNotices(cases, people, case_link),
        sample=CaseSample(duty_repository, experts, case_link),
        desk=ExpertDesk(cases.repository, experts, roster))
    editor = RosterEditor(rosters, roster, experts)
    dates = RosterDates(rosters, HotlineBrowsingRepository(database), roster, experts)
    duty = RosterDutyRepository(database)
    coverage = CoverageWatch(rosters, duty, roster, experts, clock)
    audit = AuditLog(AuditRepository(database))
    return HotlineServices(
        experts=experts, roster=roster, cases=cases,
        relay=RelayService(cases, experts, settings.relay_messages_per_minute,
                           PendingPickRepository(database)),
        reports=ReportService(CaseRepository(database), experts, settings.timezone, people),
        calendar=calendar,
        duty_cases=duty_cases,
        roster_editor=editor,
        roster_dates=dates,
        roster_actions=RosterActions(editor, dates, experts, duty, coverage, audit, cases),
        coverage=coverage,
        swaps=ShiftSwaps(duty, roster, experts, people, audit, cases, clock),
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


def build_training_service(settings: Settings, database: Database,
                           audit: AuditLog) -> TrainingService:
    return TrainingService(
        TrainingRepository(database), ReminderRepository(database), NoticeRepository(database),
        Clock(), settings.zone,
        parse_offsets(settings.reminder_offsets), parse_offsets(settings.exam_reminder_offsets),
        settings.exam_date, audit=audit)


def build_idea_service(settings: Settings, database: Database, audit: AuditLog) -> IdeaService:
    return IdeaService(
        IdeaRepository(database),
        IdeaRules(settings.ideas_daily_limit, settings.ideas_edit_minutes,
                  settings.ideas_hide_after_reports, settings.ideas_photo_max_bytes),
        settings.timezone,
        audit=audit,
        staff_chat_id=settings.staff_chat_id,
    )


def build_subscription_service(database: Database, audit: AuditLog) -> SubscriptionService:
    return SubscriptionService(AnnouncementSubscriptions(database), audit=audit)


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
