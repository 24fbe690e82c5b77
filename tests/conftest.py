"""Shared fixtures: real database files (and PostgreSQL when it answers), the local Bot API
sandbox on a free port, and the real bot running against both."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxConfig, SandboxServer
from storage.db import Database
from storage.migrate import upgrade_to_head
from tests.support import calls_outside_the_spec, settings_for

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
# The CLI turns an unexpected error into one sentence; under test it raises instead, so a
# bug shows its traceback (tests of that sentence remove the variable).
os.environ.setdefault("HOTLINE_CLI_TRACEBACKS", "1")


def postgres_unavailable_reason() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return None
    except OSError as exc:
        return f"PostgreSQL does not answer at 127.0.0.1:5432 ({exc})"


async def reset_postgres() -> None:
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


# Several test runs on one machine share the one `test` database: a session-level advisory lock
# makes their PostgreSQL tests take turns instead of dropping each other's tables.
POSTGRES_LOCK_KEY = 4_242_001


@asynccontextmanager
async def exclusive_postgres() -> AsyncIterator[str]:
    """The PostgreSQL test database, emptied and held for this test alone (skips without one)."""
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    holder = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", POSTGRES_LOCK_KEY)
        await reset_postgres()
        yield POSTGRES_URL
    finally:
        await holder.close()  # closing the session releases the lock


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with exclusive_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind; PostgreSQL tests skip when none answers."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
        return
    async with exclusive_postgres() as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await upgrade_to_head(db)
    yield db
    await db.close()


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(host="127.0.0.1", port=0, config=SandboxConfig())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def sandbox(sandbox_server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox_server.base_url) as client:
        yield client


@pytest.fixture
async def hotline(sandbox_server: SandboxServer, tmp_path: Path) -> AsyncIterator[Hotline]:
    """The real bot against the sandbox. Afterwards, every Bot API call it made is checked
    against the Bot API's own method list: a method or parameter that Telegram does not know
    fails the test that made it."""
    running = await build_hotline(settings_for(sandbox_server, tmp_path))
    await running.start()
    yield running
    await running.stop()
    async with SandboxClient(sandbox_server.base_url) as client:
        problems = calls_outside_the_spec(await client.calls())
    assert not problems, "the bot used the Bot API wrongly: " + "; ".join(problems[:10])
