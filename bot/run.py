"""Run modes: long polling or webhook against Telegram, or everything on the local sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from bot.app import Hotline, StartAborted, build_hotline
from bot.demo import DemoWorld, seed_demo_content, seed_demo_roles, start_demo_sandbox
from bot.logging_setup import configure_logging
from bot.settings import Settings

log = logging.getLogger(__name__)


def _secrets(settings: Settings) -> list[str]:
    values = [settings.bot_token, settings.webhook_secret]
    return [v.get_secret_value() for v in values if v is not None]


@contextlib.contextmanager
def _stop_signals(on_signal):
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def run(settings: Settings, *, force_sandbox: bool = False) -> None:
    """Runs until Ctrl-C or SIGTERM, then shuts down cleanly."""
    world: DemoWorld | None = None
    if force_sandbox or settings.uses_sandbox:
        world = await start_demo_sandbox(settings)
        settings = world.settings
        print(world.world_line, flush=True)
    configure_logging(settings.log_level, _secrets(settings))
    hotline: Hotline | None = None
    stop = asyncio.Event()

    def on_signal() -> None:
        stop.set()
        if hotline is not None:
            hotline.ask_to_stop()  # start-up may still be waiting for the Bot API

    try:
        with _stop_signals(on_signal):
            hotline = await build_hotline(settings)
            if world is not None:
                await seed_demo_roles(world, hotline.services)
            try:
                await hotline.start()
            except StartAborted:
                log.info("stopped before the Bot API answered")
                return
            await _serve(hotline, settings, world, force_sandbox, stop)
    finally:
        if hotline is not None:
            with contextlib.suppress(Exception):
                await hotline.stop()
        if world is not None:
            await world.stop()


async def _serve(hotline: Hotline, settings: Settings, world: DemoWorld | None,
                 force_sandbox: bool, stop: asyncio.Event) -> None:
    """Announces the running bot and waits for Ctrl-C or SIGTERM."""
    # What start-up built lives as long as the process: frozen out of the collector's full
    # passes, which otherwise walk all of it and stall every conversation meanwhile.
    gc.collect()
    gc.freeze()
    if world is not None:
        await seed_demo_content(hotline.services)
        print(world.banner(force_sandbox), flush=True)
    else:
        print(f"Community Hotline is running (health: "
              f"http://{settings.http_host}:{hotline.http_port}/healthz). Ctrl-C stops it.",
              flush=True)
    await stop.wait()
    log.info("stopping: finishing the updates in flight")
