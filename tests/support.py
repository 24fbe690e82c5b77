"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import socket
from pathlib import Path

from bot.settings import Settings, load_settings
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
