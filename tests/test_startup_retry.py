"""`hotline run` with the Bot API unreachable: one sentence per attempt, retries with backoff,
no traceback; once the API answers the bot comes up by itself."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sandbox.server import SandboxConfig, SandboxServer, generate_token
from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent


async def read_until(stream: asyncio.StreamReader, marker: str, timeout: float) -> str:  # noqa: ASYNC109
    async def scan() -> str:
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError(f"the output ended before {marker!r}")
            if marker in line:
                return line

    return await asyncio.wait_for(scan(), timeout)


async def test_run_waits_for_an_unreachable_bot_api_then_comes_up(tmp_path: Path) -> None:
    config = SandboxConfig()
    token = generate_token(config.bot_id)
    port = free_port()  # nothing listens here yet
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "HOTLINE_BOT_TOKEN": token,
        "HOTLINE_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "HOTLINE_API_FILE_BASE_URL": f"http://127.0.0.1:{port}/file/bot",
        "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HOTLINE_HTTP_PORT": str(free_port()),
    })
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    server = None
    try:
        assert bot.stderr is not None and bot.stdout is not None
        first = await read_until(bot.stderr, "cannot be reached", timeout=30)
        assert f"The Bot API at http://127.0.0.1:{port}/bot cannot be reached" in first
        assert "trying again in 1 s." in first
        second = await read_until(bot.stderr, "cannot be reached", timeout=30)
        assert "trying again in 2 s." in second  # backoff

        server = SandboxServer(port=port, config=config, token=token)
        await server.start()
        running = await read_until(bot.stdout, "Community Hotline is running", timeout=30)
        assert "healthz" in running
        bot.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(bot.communicate(), 30)
        assert bot.returncode == 0
        everything = first + second + rest.decode()
        assert "Traceback" not in everything
        assert token not in everything
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        if server is not None:
            await server.stop()


async def test_ctrl_c_while_waiting_for_the_bot_api_ends_quietly(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "HOTLINE_BOT_TOKEN": generate_token(SandboxConfig().bot_id),
        "HOTLINE_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HOTLINE_HTTP_PORT": str(free_port()),
    })
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        assert bot.stderr is not None
        await read_until(bot.stderr, "cannot be reached", timeout=30)
        bot.send_signal(signal.SIGINT)
        _, rest = await asyncio.wait_for(bot.communicate(), 30)
        assert bot.returncode == 0
        assert "Traceback" not in rest.decode()
        assert "Unclosed" not in rest.decode()
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
