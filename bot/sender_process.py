"""A sender on its own: the delivery engine without the bot's update handling.

`hotline deliver` runs one; several may share a PostgreSQL database (claims are atomic), and
the bot itself runs one too. It stops cleanly on SIGTERM or SIGINT, handing back the rows it
claimed but had not sent.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Bot

from bot.app import build_services, check_send_budget, open_database
from bot.gateway import send_request
from bot.logging_setup import configure_logging
from bot.settings import Settings
from bot.telegram_sender import TelegramSender

log = logging.getLogger(__name__)


async def run_sender(settings: Settings) -> None:
    assert settings.bot_token is not None, "a sender needs HOTLINE_BOT_TOKEN"
    configure_logging(settings.log_level, [settings.bot_token.get_secret_value()])
    database = await open_database(settings)
    services = build_services(settings, database)
    await check_send_budget(settings, services)
    # The same send gateway as the bot's, on the same shared budget (Redis with PostgreSQL).
    bot = Bot(settings.bot_token.get_secret_value(), base_url=settings.api_base_url,
              base_file_url=settings.file_base_url, request=send_request(settings, services))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    services.send_failures.start()
    try:
        await bot.initialize()
        sender = TelegramSender(bot)
        services.announcements.attach_board(sender)
        services.delivery.start(sender)
        log.info("sender %s is running", services.delivery.sender_id)
        await stop.wait()
    finally:
        await services.delivery.stop()
        await bot.shutdown()
        await services.send_failures.close()
        await services.delivery.limiter.close()
        await database.close()
