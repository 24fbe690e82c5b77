"""The composition root: settings → storage → services → PTB Application → aiohttp server.

Nothing else in the project builds a service or opens a connection; everything is handed
down from here, so tests can build the same graph against a sandbox and a temporary database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder

from bot.console_files import TelegramFileSource
from bot.console_uploader import TelegramMediaUploader
from bot.gateway import send_request
from bot.inbox_bridge import hand_over_to, report_finished_to
from bot.polling import DurablePolling
from bot.privacy_wiring import register_erasers
from bot.settings import SUPPORTED_LOCALES, Settings, SettingsError, describe_os_error
from bot.telegram_sender import TelegramSender
from bot.training_sender import TelegramTrainingMessenger
from bot.transport import RecordingRequest, default_request
from bot.update_processor import PerChatUpdateProcessor
from bot.webserver import build_web_app
from bot.wiring_features import (
    build_comms_console,
    build_delivery,
    build_hotline_services,
    build_training_dispatcher,
    build_training_service,
)
from handlers.command_menu import CommandMenu
from handlers.context import COMMAND_MENU_KEY, CONTEXT_TYPES, SERVICES_KEY
from handlers.registry import command_catalogue, register_handlers
from scheduler.announcements import schedule_announcements, schedule_wakeup
from scheduler.hotline import schedule_hotline
from scheduler.periodic import build_periodic_jobs, start_periodic_jobs
from scheduler.trainings import schedule_training_reminders
from services.announcements.broadcasts import AnnouncementService
from services.announcements.subscriptions import SubscriptionService
from services.audit import AuditLog
from services.console_access import ConsoleAccess
from services.console_forms import FormTokens
from services.container import Services
from services.conversation_log import ConversationLog
from services.dashboard import DashboardService
from services.delivery.shared_limits import BudgetUnavailable
from services.dialogs import DialogService
from services.health import HealthService
from services.hotline.ops_console import build_ops_console
from services.ideas import IdeaRules, IdeaService
from services.kb import build_knowledge_base
from services.people import PeopleService
from services.places import PlacesService
from services.privacy import PrivacyService
from services.profiles import ProfileService
from services.send_failures import SendFailureLog
from services.texts import Texts
from services.update_inbox import UpdateInbox
from storage.db import Database, DatabaseUnavailable
from storage.migrate import upgrade_to_head
from storage.models import utcnow
from storage.repositories.audit import AuditRepository
from storage.repositories.console import ConsoleRepository
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.conversation import ConversationRepository
from storage.repositories.dashboard import DashboardRepository
from storage.repositories.drafts import DraftRepository
from storage.repositories.ideas import IdeaRepository
from storage.repositories.inbound_updates import InboundUpdateRepository
from storage.repositories.places import PlaceRepository
from storage.repositories.send_failures import SendFailureRepository
from storage.repositories.users import UserRepository

log = logging.getLogger(__name__)
# Updates processed at once (different chats only: see bot/update_processor.py).
# Bounded: with SQLite, a write transaction whose coroutine waits behind many others holds
# the database lock meanwhile (64 gave "database is locked" under the hotline benchmark).
CONCURRENT_UPDATES = 32
# Start-up waits for an unreachable Bot API, retrying after 1, 2, 4, ... s, at most this long.
BOT_API_MAX_BACKOFF = 60.0


class StartAborted(Exception):
    """A stop was asked for while start-up still waited for the Bot API."""


async def open_database(settings: Settings) -> Database:
    """Connects and migrates; an unreachable database is a settings error, not a traceback."""
    database = Database(settings.database_url)
    try:
        await database.ping()
        await upgrade_to_head(database)
        await database.watch_changes()
    except DatabaseUnavailable as exc:
        await database.close()
        raise SettingsError(
            f"HOTLINE_DATABASE_URL: the database cannot be reached ({exc})."
        ) from None
    return database


async def check_send_budget(settings: Settings, services: Services) -> None:
    """A shared budget that does not answer is a settings error, said before anything runs."""
    try:
        await services.delivery.limiter.ping()
    except BudgetUnavailable as exc:
        await services.database.close()
        raise SettingsError(
            f"HOTLINE_REDIS_URL: Redis at {settings.budget_redis_url} does not answer ({exc});"
            " with PostgreSQL the send budget is shared through it: start redis-server."
        ) from None


def build_services(settings: Settings, database: Database) -> Services:
    users = UserRepository(database)
    texts = Texts(SUPPORTED_LOCALES, settings.default_locale)
    people = PeopleService(users, settings.default_locale, settings.admin_ids)
    conversation_log = ConversationLog(ConversationRepository(database))
    delivery, announcements, outbox = build_delivery(settings, database)
    trainings = build_training_service(settings, database)
    kb = build_knowledge_base(database)
    audit = AuditLog(AuditRepository(database))
    hotline = build_hotline_services(settings, database, people, texts, ProfileService(users),
                                     audit, kb.suggestions.questions_for_case)
    privacy = PrivacyService(users, people, conversation_log, settings.log_retention_days,
                             FormTokens(ConsoleFormRepository(database)))
    ideas = IdeaService(
        IdeaRepository(database),
        IdeaRules(settings.ideas_daily_limit, settings.ideas_edit_minutes,
                  settings.ideas_hide_after_reports, settings.ideas_photo_max_bytes),
        settings.timezone,
        staff_chat_id=settings.staff_chat_id,
    )
    services = Services(
        database=database,
        texts=texts,
        people=people,
        places=PlacesService(PlaceRepository(database)),
        profiles=ProfileService(users),
        dialogs=DialogService(DraftRepository(database)),
        conversation_log=conversation_log,
        privacy=privacy,
        hotline=hotline,
        ideas=ideas,
        kb=kb,
        console=ConsoleAccess(ConsoleRepository(database), people,
                              settings.console_url),
        audit=audit,
        dashboard=DashboardService(DashboardRepository(database), hotline.reports,
                                   hotline.cases.repository, delivery, ideas,
                                   settings.timezone),
        delivery=delivery,
        subscriptions=SubscriptionService(announcements),
        announcements=AnnouncementService(announcements, outbox, delivery, texts, people,
                                          paid=settings.paid_broadcast,
                                          timezone=settings.timezone),
        trainings=trainings,
        training_reminders=build_training_dispatcher(trainings, texts, settings),
        comms=build_comms_console(settings, database, trainings),
        ops=build_ops_console(database, hotline, people, ProfileService(users),
                              timedelta(minutes=settings.unanswered_alert_minutes)),
        send_failures=SendFailureLog(SendFailureRepository(database),
                                     settings.log_retention_days),
        default_locale=settings.default_locale,
        timezone=settings.timezone,
        retention_days=settings.log_retention_days,
    )
    register_erasers(services)
    return services


def build_application(settings: Settings, services: Services, inbox: UpdateInbox) -> Application:
    assert settings.bot_token is not None, "the sandbox or the user supplies a token"
    application = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
        .request(RecordingRequest(send_request(settings, services),
                                  services.conversation_log.record))
        .get_updates_request(default_request(for_updates=True, client=settings.http_client))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES,
                                                   on_finished=report_finished_to(inbox)))
        # Updates come from the inbox (bot/polling.py or the webhook), never PTB's Updater.
        .updater(None)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[COMMAND_MENU_KEY] = CommandMenu(
        application.bot, services.texts, services.people, command_catalogue()
    )
    register_handlers(application)
    messenger = TelegramTrainingMessenger(application.bot)
    services.training_reminders.connect(messenger)
    services.comms.connect(messenger)  # the console writes to idea authors through it
    services.comms.connect_uploader(TelegramMediaUploader(
        application.bot, settings.media_chat_id or settings.staff_chat_id))
    services.comms.files.connect(TelegramFileSource(application.bot))
    return application


async def start_delivery(application: Application, services: Services) -> None:
    """The sender and its scheduled wake-ups; running broadcasts resume from the outbox."""
    sender = TelegramSender(application.bot)
    services.announcements.attach_board(sender)
    scheduler = application.job_queue.scheduler
    services.announcements.attach_alarm(
        lambda announcement_id, when: schedule_wakeup(scheduler, services, announcement_id, when))
    services.delivery.start(sender)
    await schedule_announcements(scheduler, services)


def inbox_database(settings: Settings, database: Database) -> Database:
    """PostgreSQL: the inbox gets its own connection pool, so keeping an update never waits
    for a connection behind 32 busy handlers (the webhook would time out and Telegram resend).
    SQLite: the same database, whose write gate already puts every writer of this process in
    one orderly queue (a second engine would meet the busy timeout instead)."""
    if database.dialect == "sqlite":
        return database
    return Database(settings.database_url)


@dataclass
class Hotline:
    """The running bot: started and stopped as one, in either run mode."""

    settings: Settings
    services: Services
    application: Application
    web_app: web.Application
    inbox: UpdateInbox
    # The periodic jobs' clock (tests start the bot "on a Monday at 11:00").
    clock: Callable[[], datetime] = utcnow
    _runner: web.AppRunner | None = field(default=None, init=False)
    kb_ready: asyncio.Future | None = field(default=None, init=False)  # jieba loaded
    _polling: DurablePolling | None = field(default=None, init=False)
    _stop_asked: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    @property
    def webhook_mode(self) -> bool:
        return self.settings.webhook_url is not None

    async def start(self) -> None:
        services = self.services
        await services.people.bootstrap_admins()
        await services.places.seed_if_empty()
        await services.hotline.experts.seed_categories_if_empty()
        services.conversation_log.start()
        # jieba's dictionary (about a second) loads in a thread while the bot starts, so
        # neither start-up nor the first /faq waits for it on the event loop.
        self.kb_ready = asyncio.get_running_loop().run_in_executor(None, services.kb.warm_up)
        await self.inbox.open()
        await self._initialize_when_the_bot_api_answers()
        services.send_failures.start()
        await self.application.bot_data[COMMAND_MENU_KEY].publish()
        await schedule_training_reminders(self.application.job_queue.scheduler,
                                          services.trainings, services.training_reminders)
        schedule_hotline(self.application.job_queue.scheduler, services,
                         self.settings.escalation_check_seconds)
        await self.application.start()
        self.inbox.start(hand_over_to(self.application),
                         hold=lambda: services.conversation_log.behind)
        await start_delivery(self.application, services)
        await start_periodic_jobs(self.application.job_queue.scheduler,
                                  build_periodic_jobs(services, self.inbox, self.clock))
        self._runner = web.AppRunner(self.web_app, handle_signals=False)
        await self._runner.setup()
        host, port = self.settings.http_host, self.settings.http_port
        try:
            await web.TCPSite(self._runner, host, port).start()
        except OSError as exc:
            raise SettingsError(
                f"HOTLINE_HTTP_PORT: cannot listen on {host}:{port} ({describe_os_error(exc)})."
            ) from None
        services.console.use_listening_address(f"http://127.0.0.1:{self.http_port}")
        log.info("web console at %s/console/ (sign in with /console in the bot)",
                 services.console.base_url)
        if self.webhook_mode:
            secret = self.settings.webhook_secret
            await self.application.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await self.application.bot.delete_webhook()
            self._polling = DurablePolling(self.application.bot, self.inbox)
            self._polling.start()
        log.info("bot @%s is running (%s)", self.application.bot.username,
                 "webhook" if self.webhook_mode else "long polling")

    async def _initialize_when_the_bot_api_answers(self) -> None:
        """Retries with backoff while the Bot API cannot be reached, one line per attempt."""
        delay = 1.0
        while True:
            try:
                await self.application.initialize()
                return
            except InvalidToken:
                raise SettingsError("HOTLINE_BOT_TOKEN: the Bot API refused the token "
                                    "(check it with @BotFather).") from None
            except NetworkError as exc:  # timeouts included
                log.warning("The Bot API at %s cannot be reached (%s); trying again in %.0f s.",
                            self.settings.api_base_url, exc.message, delay)
            try:
                await asyncio.wait_for(self._stop_asked.wait(), delay)
            except TimeoutError:
                delay = min(delay * 2, BOT_API_MAX_BACKOFF)
                continue
            raise StartAborted

    def ask_to_stop(self) -> None:
        """Ends a start-up that still waits for the Bot API (Ctrl-C, SIGTERM)."""
        self._stop_asked.set()

    @property
    def http_port(self) -> int:
        """The bound port (useful when the setting was 0: any free port)."""
        assert self._runner is not None
        return self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stops taking updates, finishes the ones in flight, then closes storage.

        Updates kept but not handed over stay in the inbox for the next start. Nothing here
        raises because of the conversation log or the inbox: they log what they could not do.
        """
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._polling is not None:
            await self._polling.stop()
            self._polling = None
        await self.inbox.stop_feeding()
        await self.services.delivery.stop()
        if self.application.running:
            await self.application.stop()
        await self.inbox.close()
        await self.application.shutdown()
        # A start-up that never reached the Bot API left the application uninitialised, and
        # its shutdown skips the bot: close the bot's HTTP sessions here (a no-op otherwise).
        await self.application.bot.shutdown()
        await self.services.send_failures.close()
        await self.services.delivery.limiter.close()
        await self.services.conversation_log.close()
        await self.inbox.close_database()
        await self.services.database.close()


async def build_hotline(settings: Settings, *,
                        clock: Callable[[], datetime] = utcnow) -> Hotline:
    database = await open_database(settings)
    services = build_services(settings, database)
    await check_send_budget(settings, services)
    own = inbox_database(settings, database)
    inbox = UpdateInbox(InboundUpdateRepository(own, owns_database=own is not database),
                        backlog_limit=settings.inbox_backlog_limit)
    application = build_application(settings, services, inbox)
    health = HealthService(database, application.bot.get_me,
                           services.send_failures.count_last_day)
    web_app = build_web_app(settings, application, health, services, inbox)
    return Hotline(settings, services, application, web_app, inbox, clock)
