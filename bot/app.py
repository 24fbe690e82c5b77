"""The composition root: settings → storage → services → PTB Application → aiohttp server.

Nothing else in the project builds a service or opens a connection; everything is handed
down from here, so tests can build the same graph against a sandbox and a temporary database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ApplicationBuilder

from bot.budgeted_request import BudgetedRequest
from bot.console_files import TelegramFileSource
from bot.console_uploader import TelegramMediaUploader
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
from scheduler.housekeeping import schedule_housekeeping
from scheduler.trainings import schedule_training_reminders
from services.announcements.broadcasts import AnnouncementService
from services.announcements.subscriptions import SubscriptionService
from services.audit import AuditLog
from services.console_access import ConsoleAccess
from services.console_forms import FormTokens
from services.container import Services
from services.conversation_log import ConversationLog
from services.dashboard import DashboardService
from services.dialogs import DialogService
from services.health import HealthService
from services.hotline.ops_console import build_ops_console
from services.ideas import IdeaRules, IdeaService
from services.people import PeopleService
from services.places import PlacesService
from services.privacy import PrivacyService
from services.profiles import ProfileService
from services.texts import Texts
from storage.db import Database, DatabaseUnavailable
from storage.migrate import upgrade_to_head
from storage.repositories.audit import AuditRepository
from storage.repositories.console import ConsoleRepository
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.conversation import ConversationRepository
from storage.repositories.dashboard import DashboardRepository
from storage.repositories.drafts import DraftRepository
from storage.repositories.ideas import IdeaRepository
from storage.repositories.places import PlaceRepository
from storage.repositories.users import UserRepository

log = logging.getLogger(__name__)
# Updates processed at once (different chats only: see bot/update_processor.py).
# Bounded: with SQLite, a write transaction whose coroutine waits behind many others holds
# the database lock meanwhile (64 gave "database is locked" under the hotline benchmark).
CONCURRENT_UPDATES = 32


async def open_database(settings: Settings) -> Database:
    """Connects and migrates; an unreachable database is a settings error, not a traceback."""
    database = Database(settings.database_url)
    try:
        await database.ping()
        await upgrade_to_head(database)
    except DatabaseUnavailable as exc:
        await database.close()
        raise SettingsError(
            f"HOTLINE_DATABASE_URL: the database cannot be reached ({exc})."
        ) from None
    return database


def build_services(settings: Settings, database: Database) -> Services:
    users = UserRepository(database)
    texts = Texts(SUPPORTED_LOCALES, settings.default_locale)
    people = PeopleService(users, settings.default_locale, settings.admin_ids)
    conversation_log = ConversationLog(ConversationRepository(database))
    delivery, announcements, outbox = build_delivery(settings, database)
    trainings = build_training_service(settings, database)
    hotline = build_hotline_services(settings, database, people, texts, ProfileService(users))
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
        console=ConsoleAccess(ConsoleRepository(database), people,
                              settings.console_url),
        audit=AuditLog(AuditRepository(database)),
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
        ops=build_ops_console(database, hotline, people, ProfileService(users)),
        default_locale=settings.default_locale,
        timezone=settings.timezone,
        retention_days=settings.log_retention_days,
    )
    register_erasers(services)
    return services


def build_application(settings: Settings, services: Services) -> Application:
    assert settings.bot_token is not None, "the sandbox or the user supplies a token"
    application = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
        .request(RecordingRequest(
            BudgetedRequest(default_request(client=settings.http_client),
                            services.delivery.limiter),
            services.conversation_log.record))
        .get_updates_request(default_request(for_updates=True, client=settings.http_client))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[COMMAND_MENU_KEY] = CommandMenu(
        application.bot, services.texts, services.people, command_catalogue()
    )
    register_handlers(application)
    messenger = TelegramTrainingMessenger(application.bot, services.delivery.limiter)
    services.training_reminders.connect(messenger)
    services.comms.connect(messenger)  # the console writes to idea authors through it
    services.comms.connect_uploader(TelegramMediaUploader(
        application.bot, services.delivery.limiter,
        settings.media_chat_id or settings.staff_chat_id))
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


@dataclass
class Hotline:
    """The running bot: started and stopped as one, in either run mode."""

    settings: Settings
    services: Services
    application: Application
    web_app: web.Application
    _runner: web.AppRunner | None = field(default=None, init=False)

    @property
    def webhook_mode(self) -> bool:
        return self.settings.webhook_url is not None

    async def start(self) -> None:
        services = self.services
        await services.people.bootstrap_admins()
        await services.places.seed_if_empty()
        await services.hotline.experts.seed_categories_if_empty()
        services.conversation_log.start()
        await self.application.initialize()
        await self.application.bot_data[COMMAND_MENU_KEY].publish()
        schedule_housekeeping(self.application.job_queue.scheduler, services)
        await schedule_training_reminders(self.application.job_queue.scheduler,
                                          services.trainings, services.training_reminders)
        schedule_hotline(self.application.job_queue.scheduler, services,
                         self.settings.escalation_check_seconds)
        await self.application.start()
        await start_delivery(self.application, services)
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
            await self.application.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10
            )
        log.info("bot @%s is running (%s)", self.application.bot.username,
                 "webhook" if self.webhook_mode else "long polling")

    @property
    def http_port(self) -> int:
        """The bound port (useful when the setting was 0: any free port)."""
        assert self._runner is not None
        return self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stops taking updates, finishes the ones in flight, then closes storage."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        await self.services.delivery.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.services.conversation_log.close()
        await self.services.database.close()


async def build_hotline(settings: Settings) -> Hotline:
    database = await open_database(settings)
    services = build_services(settings, database)
    application = build_application(settings, services)
    health = HealthService(database, application.bot.get_me)
    web_app = build_web_app(settings, application, health, services)
    return Hotline(settings, services, application, web_app)
