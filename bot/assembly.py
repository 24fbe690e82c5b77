"""The composition root's builders, in the one order that the bot (bot/app.py) and the CLI
(bot/cli*.py, bot/sender_process.py) both follow:

settings → database → Foundation (texts, people, conversation log, send failures, send budget)
→ the PTB Bot, whose request is RecordingRequest(SendGateway(...)) → (the bot only: the
Application, for its job-queue scheduler) → TelegramSide (the adapters on that Bot) →
build_services: each service complete when constructed, its collaborators passed in.

Nothing else builds a service, the repositories a service stands on, or a sender.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from apscheduler.schedulers.base import BaseScheduler
from telegram.ext import ExtBot

from bot.console_files import TelegramFileSource
from bot.console_uploader import TelegramMediaUploader
from bot.gateway import send_request
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.telegram_sender import TelegramSender
from bot.training_sender import TelegramTrainingMessenger
from bot.transport import RecordingRequest, default_request
from handlers.hotline_messenger import TelegramCaseMessenger
from scheduler.announcements import schedule_wakeup
from scheduler.trainings import send_notices_soon
from services.announcements.broadcasts import AnnouncementService
from services.announcements.history import AnnouncementHistory
from services.announcements.subscriptions import SubscriptionService
from services.audit import AuditLog
from services.console_access import ConsoleAccess
from services.console_files import ConsoleFiles
from services.console_forms import FormTokens
from services.container import Services
from services.conversation_log import ConversationLog
from services.dashboard import DashboardService
from services.delivery.engine import DeliveryEngine, EngineSettings
from services.delivery.limits import Limits, RateBudget, RateLimiter
from services.delivery.shared_limits import RedisRateLimiter, budget_namespace
from services.dialogs import DialogService
from services.hotline import HotlineServices
from services.hotline.calendar_service import CalendarService
from services.hotline.case_actions import CaseActions
from services.hotline.case_browser import CaseBrowser
from services.hotline.case_cards import SuggestedQuestions
from services.hotline.case_events import CaseEvents
from services.hotline.case_files import CaseFiles
from services.hotline.case_sample import CaseSample
from services.hotline.cases import CaseService
from services.hotline.console_work import CaseWork
from services.hotline.duty_cases import DutyCases
from services.hotline.expert_desk import ExpertDesk
from services.hotline.expert_figures import ExpertFigures
from services.hotline.experts import ExpertService
from services.hotline.fallback import CategoryFallbacks
from services.hotline.inbox import Inbox
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
from services.hotline.snippets import Snippets
from services.hotline.waiting_alerts import WaitingAlerts
from services.hotline.waiting_transfer import WaitingCaseMover
from services.hotline.working_clock import WorkingClock
from services.ideas import IdeaRules, IdeaService
from services.ideas.board import IdeaBoard
from services.kb import build_knowledge_base
from services.kb.service import KnowledgeBase
from services.people import PeopleService
from services.places import PlacesService
from services.privacy import Eraser, Kept, PrivacyService
from services.profiles import ProfileService
from services.send_failures import SendFailureLog
from services.texts import Texts
from services.trainings.board import TrainingBoard
from services.trainings.clock import Clock
from services.trainings.erasure import drop_queued, give_back_places
from services.trainings.notices import NoticeSender
from services.trainings.offsets import parse_offsets
from services.trainings.reminders import ReminderDispatcher
from services.trainings.service import TrainingService
from storage.db import Database
from storage.models import utcnow
from storage.repositories.announcement_history import AnnouncementHistoryRepository
from storage.repositories.announcements import AnnouncementRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.console import ConsoleRepository
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.conversation import ConversationRepository
from storage.repositories.dashboard import DashboardRepository
from storage.repositories.drafts import DraftRepository
from storage.repositories.hotline_browsing import HotlineBrowsingRepository
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_changed_cases import ChangedCaseRepository
from storage.repositories.hotline_duty_cases import DutyCaseRepository
from storage.repositories.hotline_expert_figures import ExpertFiguresRepository
from storage.repositories.hotline_handoffs import HandoffRepository
from storage.repositories.hotline_notes import (
    CaseAlertRepository,
    CaseNoteRepository,
    SnippetRepository,
)
from storage.repositories.hotline_picks import PendingPickRepository
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.hotline_waiting import WaitingCaseRepository
from storage.repositories.idea_board import IdeaBoardRepository
from storage.repositories.idea_erasure import IdeaErasureRepository
from storage.repositories.ideas import IdeaRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.places import PlaceRepository
from storage.repositories.privacy_counts import PrivacyCounts
from storage.repositories.roster_duty import RosterDutyRepository
from storage.repositories.send_failures import SendFailureRepository
from storage.repositories.training_board import TrainingBoardRepository
from storage.repositories.training_notices import NoticeRepository
from storage.repositories.training_reminders import ReminderRepository
from storage.repositories.training_sessions import TrainingSessionRepository
from storage.repositories.trainings import TrainingRepository
from storage.repositories.users import UserRepository
from storage.repositories.working_calendar import WorkingCalendarRepository

# PTB needs a token to build a Bot. Without HOTLINE_BOT_TOKEN (the embedded defaults: only
# `hotline run` knows its sandbox's token) a CLI process has no bot to speak as; what it
# builds writes to the database and the running bot sends. Telegram, or the sandbox, would
# refuse a call made with this one as it refuses any unknown token.
NO_TOKEN = "0:no-token-the-running-bot-sends"  # noqa: S105 - a placeholder, not a secret


@dataclass(frozen=True, slots=True)
class Foundation:
    """What the send path and every feature stand on, built first."""

    settings: Settings
    database: Database
    texts: Texts
    users: UserRepository
    people: PeopleService
    audit: AuditLog  # every front door writes its entry here
    conversation_log: ConversationLog
    send_failures: SendFailureLog
    budget: RateBudget  # Telegram's limits for this bot token, shared by every sender


@dataclass(frozen=True, slots=True)
class TelegramSide:
    """The Telegram adapters the services talk through, all on one Bot (one send path)."""

    sender: TelegramSender  # broadcasts, the composer's progress board, single previews
    messenger: TelegramTrainingMessenger  # reminders and notices (broadcast traffic)
    authors: TelegramTrainingMessenger  # a word to an idea's author, as the staff action's own
    uploader: TelegramMediaUploader  # the console's attachments, to a Telegram file_id
    files: TelegramFileSource  # files people sent the bot, for the console's pages
    cases: TelegramCaseMessenger  # the hotline's cards, notes and copies


def build_send_budget(settings: Settings) -> RateBudget:
    """Telegram's limits for this bot token: in memory, or in Redis shared by every process."""
    url = settings.budget_redis_url
    limits = Limits(global_rate=settings.send_rate)
    if url is None:
        return RateLimiter(limits)
    token = settings.bot_token.get_secret_value() if settings.bot_token else "sandbox"
    return RedisRateLimiter(url, budget_namespace(token), limits)


def build_foundation(settings: Settings, database: Database) -> Foundation:
    users = UserRepository(database)
    texts = Texts(SUPPORTED_LOCALES, settings.default_locale, settings.timezone)
    return Foundation(
        settings=settings, database=database, texts=texts, users=users,
        audit=AuditLog(AuditRepository(database)),
        people=PeopleService(users, settings.default_locale, settings.admin_ids),
        conversation_log=ConversationLog(ConversationRepository(database)),
        send_failures=SendFailureLog(SendFailureRepository(database),
                                     settings.log_retention_days),
        budget=build_send_budget(settings),
    )


def build_bot(foundation: Foundation, *, record: bool = True) -> ExtBot:
    """The one PTB Bot of the process; every call it makes passes the send gateway.

    `record`: every message sent goes to the conversation log (the bot); `hotline deliver`
    runs no log writer, and its broadcasts are recorded in the outbox instead.
    """
    settings = foundation.settings
    request = send_request(settings, foundation.budget, foundation.send_failures)
    token = settings.bot_token.get_secret_value() if settings.bot_token else NO_TOKEN
    return ExtBot(
        token, base_url=settings.api_base_url, base_file_url=settings.file_base_url,
        request=RecordingRequest(request, foundation.conversation_log.record) if record
        else request,
        get_updates_request=default_request(for_updates=True, client=settings.http_client))


def build_telegram_side(bot: ExtBot, foundation: Foundation) -> TelegramSide:
    settings = foundation.settings
    return TelegramSide(
        sender=TelegramSender(bot),
        messenger=TelegramTrainingMessenger(bot),
        authors=TelegramTrainingMessenger(bot, broadcast=False),
        uploader=TelegramMediaUploader(bot, settings.media_chat_id or settings.staff_chat_id),
        files=TelegramFileSource(bot),
        cases=TelegramCaseMessenger(bot, foundation.texts, foundation.people,
                                    settings.default_locale),
    )


def assemble_services(foundation: Foundation, telegram: TelegramSide, *, console_url: str,
                      scheduler: BaseScheduler | None = None,
                      clock: Callable[[], datetime] = utcnow) -> Services:
    """Every feature's services, complete. `console_url`: where sign-in links point;
    `scheduler`: the bot's APScheduler, which wakes the sender at a scheduled announcement's
    time (None in a process that does not send: the running bot's sender finds the rows);
    `clock`: what the roster's coverage and swap checks take as now (tests fix the day)."""
    settings, database = foundation.settings, foundation.database
    texts, people, audit = foundation.texts, foundation.people, foundation.audit
    # The process running the bot's scheduler tells people at once; others (the CLI) only
    # store what is owed, and the running bot sends it.
    sends_here = scheduler is not None
    profiles = ProfileService(foundation.users)
    form_tokens = FormTokens(ConsoleFormRepository(database))
    files = ConsoleFiles(telegram.files)
    outbox = OutboxRepository(database)
    delivery = DeliveryEngine(
        outbox, foundation.budget, telegram.sender,
        EngineSettings(lease=timedelta(seconds=settings.delivery_lease_seconds)))
    trainings, training_reminders = build_trainings(settings, database, audit, texts,
                                                    telegram.messenger, scheduler)
    kb = build_knowledge_base(database)
    hotline = build_hotline_services(
        settings, database, people, texts, profiles, telegram.cases, files,
        kb.suggestions.questions_for_case, audit,
        # The transcript's link staff read (issue 15): a low rating's note, /sample.
        case_link=lambda number: f"{console_url}/console/cases/{number}", clock=clock,
        sends_here=sends_here)
    ideas = IdeaService(
        IdeaRepository(database),
        IdeaRules(settings.ideas_daily_limit, settings.ideas_edit_minutes,
                  settings.ideas_hide_after_reports, settings.ideas_photo_max_bytes),
        settings.timezone,
        audit=audit,
        board=IdeaBoard(IdeaBoardRepository(database), IdeaRepository(database),
                        settings.timezone),
        messenger=telegram.authors, people=people, texts=texts, sends_here=sends_here,
        staff_chat_id=settings.staff_chat_id,
    )
    announcements = AnnouncementRepository(database)
    subscriptions = SubscriptionService(announcements.subscriptions, audit=audit)
    dialogs = DialogService(DraftRepository(database))
    privacy = PrivacyService(
        foundation.users, people, foundation.conversation_log, settings.log_retention_days,
        form_tokens, *privacy_areas(database, trainings, subscriptions, dialogs, ideas, kb,
                                    hotline))
    return Services(
        database=database,
        texts=texts,
        people=people,
        places=PlacesService(PlaceRepository(database)),
        profiles=profiles,
        dialogs=dialogs,
        conversation_log=foundation.conversation_log,
        privacy=privacy,
        hotline=hotline,
        ideas=ideas,
        kb=kb,
        console=ConsoleAccess(ConsoleRepository(database), people, console_url),
        audit=audit,
        dashboard=DashboardService(DashboardRepository(database), hotline.reports,
                                   hotline.cases.repository, delivery, ideas,
                                   settings.timezone),
        delivery=delivery,
        subscriptions=subscriptions,
        announcements=AnnouncementService(
            announcements, outbox, delivery, texts, people, audit=audit,
            paid=settings.paid_broadcast,
            timezone=settings.timezone, board=telegram.sender,
            history=AnnouncementHistory(AnnouncementHistoryRepository(database)),
            uploader=telegram.uploader,
            wake_at=partial(schedule_wakeup, scheduler, delivery) if scheduler else None),
        trainings=trainings,
        training_reminders=training_reminders,
        form_tokens=form_tokens,
        files=files,
        send_failures=foundation.send_failures,
        default_locale=settings.default_locale,
        timezone=settings.timezone,
        retention_days=settings.log_retention_days,
    )


def build_hotline_services(settings: Settings, database: Database, people: PeopleService,
                           texts: Texts, profiles: ProfileService, messenger: TelegramCaseMessenger,
                           files: ConsoleFiles, suggested_questions: SuggestedQuestions,
                           audit: AuditLog, *, case_link: CaseLink,
                           clock: Callable[[], datetime], sends_here: bool) -> HotlineServices:
    rosters = RosterRepository(database)
    experts = ExpertService(rosters, people, texts)
    calendar = CalendarService(WorkingCalendarRepository(database))
    roster = RosterService(rosters, settings.timezone, calendar)
    case_rows = CaseRepository(database)
    duty_repository = DutyCaseRepository(database)
    fallbacks = CategoryFallbacks(duty_repository, experts, people, audit)
    cases = CaseService(case_rows, experts, roster, people, profiles, messenger,
                        claim_timeout=timedelta(seconds=settings.claim_timeout),
                        staff_chat_id=settings.staff_chat_id,
                        max_open_cases=settings.open_cases_per_asker,
                        suggested_questions=suggested_questions,
                        handoffs=HandoffRepository(database),
                        fallback_for=fallbacks.person_for,
                        # Live console pages also follow what other processes change.
                        events=CaseEvents(ChangedCaseRepository(database)))
    relay = RelayService(cases, experts, settings.relay_messages_per_minute,
                         PendingPickRepository(database))
    reports = ReportService(case_rows, experts, settings.timezone, people,
                            WorkingClock(roster, rosters))
    browsing = HotlineBrowsingRepository(database)
    notes = CaseNoteRepository(database)
    browser = CaseBrowser(browsing, cases, experts, reports, people, profiles, notes)
    alerts = WaitingAlerts(cases, browsing, CaseAlertRepository(database),
                           timedelta(minutes=settings.unanswered_alert_minutes))
    editor = RosterEditor(rosters, roster, experts)
    dates = RosterDates(rosters, browsing, roster, experts)
    duty = RosterDutyRepository(database)
    coverage = CoverageWatch(rosters, duty, roster, experts, clock)
    return HotlineServices(
        experts=experts, roster=roster, cases=cases,
        actions=CaseActions(cases, experts, WaitingCaseMover(
            cases, people, WaitingCaseRepository(database)), audit),
        relay=relay, reports=reports,
        calendar=calendar,
        expert_figures=ExpertFigures(ExpertFiguresRepository(database), reports, experts),
        duty_cases=DutyCases(
            fallbacks=fallbacks, declines=OfferDeclines(cases, duty_repository),
            ratings=RatingNotices(cases, people, case_link),
            sample=CaseSample(duty_repository, experts, case_link),
            desk=ExpertDesk(case_rows, experts, roster)),
        roster_actions=RosterActions(editor, dates, experts, duty, coverage, audit, cases,
                                     sends_here=sends_here),
        coverage=coverage,
        swaps=ShiftSwaps(duty, roster, experts, people, audit, cases, clock),
        roster_editor=editor,
        roster_dates=dates,
        case_browser=browser,
        case_work=CaseWork(cases, relay, notes),
        case_files=CaseFiles(cases, files),
        inbox=Inbox(browsing, browser, cases.claim_timeout, alerts),
        waiting_alerts=alerts,
        snippets=Snippets(SnippetRepository(database), cases, experts),
    )


def build_trainings(settings: Settings, database: Database, audit: AuditLog, texts: Texts,
                    messenger: TelegramTrainingMessenger, scheduler: BaseScheduler | None
                    ) -> tuple[TrainingService, ReminderDispatcher]:
    """The training service and the reminder dispatcher that sends what it stores. The
    service's doors ask for their notices at once where the bot's scheduler runs; elsewhere
    (the CLI) they are only stored, and the running bot's dispatcher finds them."""
    repository, reminders = TrainingRepository(database), ReminderRepository(database)
    notices, clock = NoticeRepository(database), Clock()
    dispatcher = ReminderDispatcher(
        repository, reminders,
        NoticeSender(notices, repository, reminders, texts, clock, settings.zone),
        texts, clock, settings.zone, messenger)
    trainings = TrainingService(
        repository, reminders, notices, clock, settings.zone,
        parse_offsets(settings.reminder_offsets), parse_offsets(settings.exam_reminder_offsets),
        settings.exam_date, audit=audit, board=TrainingBoard(TrainingBoardRepository(database)),
        sessions=TrainingSessionRepository(database),
        send_notices=partial(send_notices_soon, scheduler, dispatcher) if scheduler else None)
    return trainings, dispatcher


def privacy_areas(database: Database, trainings: TrainingService,
                  subscriptions: SubscriptionService, dialogs: DialogService,
                  ideas: IdeaService, kb: KnowledgeBase, hotline: HotlineServices
                  ) -> tuple[list[Eraser], list[Kept]]:
    """Which areas /forget erases, in which order, and how /privacy counts each of them (the
    same list, so the two cannot drift).

    The person's queued reminders go first (so the reply can count them: giving the places
    back would otherwise re-plan them away uncounted); then the places are given back, which
    stores the promotions they cause and the notices owed. The name goes last
    (PrivacyService.forget), after everything that may still look the person up.
    """
    console = ConsoleRepository(database)
    forms = ConsoleFormRepository(database)
    idea_votes = IdeaErasureRepository(database)

    async def console_access(telegram_id: int) -> int:
        # Form tokens (the /forget confirmation among them) are not counted: they are
        # plumbing, not something the person would recognise.
        await forms.erase_person(telegram_id)
        return await console.erase_person(telegram_id)

    counts = PrivacyCounts(database)
    failures = SendFailureRepository(database)
    roster_duty = RosterDutyRepository(database)

    async def training_places(telegram_id: int) -> int:
        # What give_back_places gives back: places and waitlist places on courses not over.
        return len(await trainings.my_courses(telegram_id))

    erasers = [
        Eraser("training_queue", partial(drop_queued, trainings), counts.training_queue),
        Eraser("training_places", partial(give_back_places, trainings), training_places),
        Eraser("outbox", OutboxRepository(database).cancel_for_chat, counts.outbox),
        Eraser("subscriptions", subscriptions.forget_subscriber, counts.subscriptions),
        Eraser("draft", dialogs.discard, counts.draft),
        Eraser("profile", UserRepository(database).erase_profile, counts.profile),
        Eraser("console", console_access, counts.console),
        Eraser("ideas", ideas.erase_author_details, counts.ideas),
        Eraser("idea_supports", idea_votes.erase_supports, counts.idea_supports),
        Eraser("idea_reports", idea_votes.erase_reports, counts.idea_reports),
        # Before the hotline's own eraser: a proposal is found through the case's asker.
        Eraser("kb_proposals", kb.repository.erase_proposals_of,
               kb.repository.count_proposals_of),
        Eraser("hotline_messages", hotline.cases.anonymise_asker,
               counts.hotline_messages),
        # Messages still waiting for "which case?" count as hotline messages in the reply.
        Eraser("hotline_messages", PendingPickRepository(database).erase_user,
               counts.pending_picks),
        # Messages that could not be delivered to the person count as their messages.
        Eraser("messages", failures.erase_person, failures.count_for),
        # The duty roster: no case is offered to them as a category's fallback, nothing
        # queued is sent to them, and their shifts still offered for a swap are withdrawn.
        Eraser("hotline_fallbacks", DutyCaseRepository(database).erase_fallbacks_of,
               counts.hotline_fallbacks),
        Eraser("roster_notices", roster_duty.erase_queued_notices_for, counts.roster_notices),
        Eraser("shift_swaps", lambda telegram_id: roster_duty.withdraw_swaps_of(
            telegram_id, utcnow()), counts.shift_swaps),
    ]
    kept = [
        Kept("hotline_cases", counts.hotline_cases),
        Kept("training_history", counts.training_history),
    ]
    return erasers, kept
