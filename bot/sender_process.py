"""A sender on its own: the delivery engine without the bot's update handling.

`hotline deliver` runs one; several may share a PostgreSQL database (claims are atomic), and
the bot itself runs one too. It stops cleanly on SIGTERM or SIGINT, handing back the rows it
claimed but had not sent.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import check_send_budget, configured_console_url, open_database
from bot.assembly import assemble_services, build_bot, build_foundation, build_telegram_side
from bot.logging_setup import configure_logging
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_sender(settings: Settings) -> None:
    assert settings.bot_token is not None, "a sender needs HOTLINE_BOT_TOKEN"
    configure_logging(settings.log_level, [settings.bot_token.get_secret_value()])
    database = await open_database(settings)
    foundation = build_foundation(settings, database)
    await check_send_budget(foundation)
    # The same send gateway as the bot's, on the same shared budget (Redis with PostgreSQL);
    # no conversation log runs here: broadcasts are recorded in the outbox.
    bot = build_bot(foundation, record=False)
    services = assemble_services(foundation, build_telegram_side(bot, foundation),
                                 console_url=configured_console_url(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    services.send_failures.start()
    try:
        await bot.initialize()
        services.delivery.start()
        log.info("sender %s is running", services.delivery.sender_id)
        await stop.wait()
    finally:
        await services.delivery.stop()
        await bot.shutdown()
        await services.send_failures.close()
        await services.delivery.limiter.close()
        await database.close()
