"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from bot.app import Hotline, build_hotline
from bot.settings import Settings, load_settings
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from sandbox.spec import load_spec


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_for(server: SandboxServer, tmp_path: Path, **overrides: object) -> Settings:
    """Settings of a bot wired to the sandbox, with its own database file and no .env."""
    values: dict[str, object] = {
        "_env_file": None,
        "bot_token": server.token,
        "api_base_url": server.bot_api_base,
        "api_file_base_url": server.file_api_base,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "http_port": 0,
        **overrides,
    }
    return load_settings(**values)


async def running_hotline(server: SandboxServer, tmp_path: Path,
                          **overrides: object) -> Hotline:
    """A started bot with settings other than the `hotline` fixture's; the test stops it."""
    hotline = await build_hotline(settings_for(server, tmp_path, **overrides))
    await hotline.start()
    return hotline


async def bot_idle(hotline: Hotline, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Waits until the bot has finished every update it took: what a relay stores after the
    copy is sent (the transcript row) is in the database once this returns."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    application = hotline.application
    while not (hotline.inbox.idle and application.update_queue.empty()
               and application.update_processor.current_concurrent_updates == 0):
        if loop.time() > deadline:
            raise AssertionError(f"the bot was still busy after {timeout} s")
        await asyncio.sleep(0.01)


async def staff_forum_group(sandbox: SandboxClient, title: str,
                            staff_name: str = "Staff Zhou") -> tuple[dict, dict]:
    """A staff member (English) and the forum group they are in: give the group's id to the
    bot as staff_chat_id; granting the role is left to the test."""
    staffer = await sandbox.add_user(staff_name, language_code="en")
    group = await sandbox.create_group(title, is_forum=True, member_ids=[staffer["id"]])
    return staffer, group


def calls_outside_the_spec(calls: list[dict]) -> list[str]:
    methods = {name.lower(): spec for name, spec in load_spec()["methods"].items()}
    problems = []
    for call in calls:
        spec = methods.get(call["method"].lower())
        if spec is None:
            problems.append(f"{call['method']} is not a Bot API method")
            continue
        known = {field["name"] for field in spec.get("fields", [])}
        unknown = sorted(set(call["params"]) - known)
        if unknown:
            problems.append(f"{call['method']} has no parameter(s) {unknown}")
    return problems
