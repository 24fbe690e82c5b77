"""The composition root: settings → database → the send path → the PTB Bot → Application →
Telegram-side adapters → services → handlers → aiohttp server, in this order, once.

Its builders are in bot/assembly.py; nothing else in the project builds a service, a sender
or a connection. The CLI and `hotline deliver` build theirs through the same builders
(build_services below), so tests can build the same graph against a sandbox and a temporary
database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, ExtBot

from bot.assembly import (
    Foundation,
    assemble_services,
    build_bot,
    build_foundation,
    build_telegram_side,
)
from bot.inbox_bridge import hand_over_to, report_finished_to
from bot.polling import DurablePolling
from bot.settings import Settings, SettingsError, describe_os_error
from bot.update_processor import PerChatUpdateProcessor
from bot.webserver import build_web_app
from handlers.command_menu import CommandMenu
from handlers.context import COMMAND_MENU_KEY, CONTEXT_TYPES, SERVICES_KEY
from handlers.registry import command_catalogue, register_handlers
from scheduler.announcements import schedule_announcements
from scheduler.hotline import schedule_hotline
from scheduler.ideas import schedule_idea_notices
from scheduler.periodic import build_periodic_jobs, start_periodic_jobs
from scheduler.trainings import schedule_training_reminders
from services.container import Services
from services.delivery.shared_limits import BudgetUnavailable
from services.health import HealthService
from services.update_inbox import UpdateInbox
from storage.db import Database, DatabaseUnavailable
from storage.migrate import upgrade_to_head
from storage.models import utcnow
from storage.repositories.inbound_updates import InboundUpdateRepository

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


async def check_send_budget(foundation: Foundation) -> None:
    """A shared budget that does not answer is a settings error, said before anything runs."""
    try:
        await foundation.budget.ping()
    except BudgetUnavailable as exc:
        await foundation.database.close()
        raise SettingsError(
            f"HOTLINE_REDIS_URL: Redis at {foundation.settings.budget_redis_url} does not "
            f"answer ({exc}); with PostgreSQL the send budget is shared through it: start "
            "redis-server."
        ) from None


def configured_console_url(settings: Settings) -> str:
    """Where sign-in links point in a process that serves no pages (the CLI)."""
    return settings.console_url or f"http://127.0.0.1:{settings.http_port}"


def build_services(settings: Settings, database: Database,
                   clock: Callable[[], datetime] = utcnow) -> Services:
    """The services of a process that handles no updates (the CLI's commands, tests): the
    root's own order on a Bot that is never started; what they publish the running bot's
    sender sends."""
    foundation = build_foundation(settings, database)
    bot = build_bot(foundation, record=False)
    return assemble_services(foundation, build_telegram_side(bot, foundation),
                             console_url=configured_console_url(settings), clock=clock)


@contextlib.asynccontextmanager
async def command_services(settings: Settings) -> AsyncIterator[Services]:
    """A CLI command's services (build_services on a database opened for it), closed after.

    Its Bot's HTTP session is opened (no call is made): a command that tells people (the
    case doors of `hotline cases`) speaks through the same gateway as the bot, when
    HOTLINE_BOT_TOKEN names the bot."""
    database = await open_database(settings)
    services: Services | None = None
    bot: ExtBot | None = None
    try:
        foundation = build_foundation(settings, database)
        bot = build_bot(foundation, record=False)
        await bot.request.initialize()
        services = assemble_services(foundation, build_telegram_side(bot, foundation),
                                     console_url=configured_console_url(settings))
        yield services
    finally:
        if bot is not None:
            await bot.request.shutdown()
        if services is not None:
            await services.delivery.limiter.close()
        await database.close()


def bind_listener(settings: Settings) -> socket.socket:
    """The HTTP server's socket, bound before anything is built, so that a port of 0 (any
    free port) is the real port when the console's sign-in links are made."""
    host, port = settings.http_host, settings.http_port
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(address)
        except OSError:
            listener.close()
            raise
    except OSError as exc:
        raise SettingsError(
            f"HOTLINE_HTTP_PORT: cannot listen on {host}:{port} ({describe_os_error(exc)})."
        ) from None
    return listener


def build_application(bot: ExtBot, inbox: UpdateInbox) -> Application:
    return (
        ApplicationBuilder()
        .bot(bot)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES,
                                                   on_finished=report_finished_to(inbox)))
        # Updates come from the inbox (bot/polling.py or the webhook), never PTB's Updater.
        .updater(None)
        .build()
    )


def add_handlers(application: Application, services: Services) -> None:
    """The handlers, and what they read from bot_data: the services and the command menu."""
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[COMMAND_MENU_KEY] = CommandMenu(
        application.bot, services.texts, services.people, command_catalogue()
    )
    register_handlers(application)


async def start_delivery(application: Application, services: Services) -> None:
    """The sender and its scheduled wake-ups; running broadcasts resume from the outbox."""
    services.delivery.start()
    await schedule_announcements(application.job_queue.scheduler, services)


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
    listener: socket.socket  # the HTTP server's socket, bound by build_hotline
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
        schedule_idea_notices(self.application.job_queue.scheduler, services,
                              self.settings.escalation_check_seconds)
        await self.application.start()
        self.inbox.start(hand_over_to(self.application),
                         hold=lambda: services.conversation_log.behind)
        await start_delivery(self.application, services)
        await start_periodic_jobs(self.application.job_queue.scheduler,
                                  build_periodic_jobs(services, self.inbox, self.clock))
        self._runner = web.AppRunner(self.web_app, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, self.listener).start()
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
        return self.listener.getsockname()[1]

    async def stop(self) -> None:
        """Stops taking updates, finishes the ones in flight, then closes storage.

        Updates kept but not handed over stay in the inbox for the next start. Nothing here
        raises because of the conversation log or the inbox: they log what they could not do.
        """
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.listener.close()  # never served (start-up did not get this far), or served
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
    """The whole bot, in the root's one order (see this module's docstring)."""
    listener = bind_listener(settings)
    try:
        database = await open_database(settings)
        foundation = build_foundation(settings, database)
        await check_send_budget(foundation)
    except BaseException:
        listener.close()
        raise
    bot = build_bot(foundation)
    own = inbox_database(settings, database)
    inbox = UpdateInbox(InboundUpdateRepository(own, owns_database=own is not database),
                        backlog_limit=settings.inbox_backlog_limit)
    application = build_application(bot, inbox)
    services = assemble_services(
        foundation, build_telegram_side(bot, foundation),
        console_url=settings.console_url or f"http://127.0.0.1:{listener.getsockname()[1]}",
        scheduler=application.job_queue.scheduler, clock=clock)
    add_handlers(application, services)
    health = HealthService(database, bot.get_me, services.send_failures.count_last_day)
    web_app = build_web_app(settings, application, health, services, inbox)
    return Hotline(settings, services, application, web_app, inbox, listener, clock)
