"""Fixtures: a sandbox on a free port, its control client, a raw Bot API caller and a PTB bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot

from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer


class RawApi:
    """Calls the Bot API as plain HTTP, in any of the encodings Telegram accepts."""

    def __init__(self, server: SandboxServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self.server.bot_api_base}{token or self.server.token}/{method}"

    async def call(self, method: str, *, encoding: str = "json", token: str | None = None,
                   **params: Any) -> tuple[int, dict[str, Any]]:
        url = self.url(method, token)
        if encoding == "json":
            request = self.session.post(url, json=params)
        elif encoding == "form":
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            request = self.session.post(url, data=form)
        elif encoding == "query":
            query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            request = self.session.get(url, params=query)
        else:
            raise ValueError(encoding)
        async with request as response:
            if response.content_type != "application/json":
                return response.status, {"raw": await response.text()}
            return response.status, await response.json()

    async def upload(self, method: str, files: dict[str, tuple[str, bytes, str]],
                     **params: Any) -> tuple[int, dict[str, Any]]:
        """multipart/form-data as PTB sends it: files as parts, other values JSON-encoded."""
        form = aiohttp.FormData()
        for key, value in params.items():
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
        for name, (filename, data, content_type) in files.items():
            form.add_field(name, data, filename=filename, content_type=content_type)
        async with self.session.post(self.url(method), data=form) as response:
            return response.status, await response.json(content_type=None)

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, **params)
        assert status == 200 and body["ok"], (method, status, body)
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self.call(method, **params)
        assert not body["ok"] and body["error_code"] == status, body
        return status, body["description"]


@pytest.fixture
def config() -> SandboxConfig:
    return SandboxConfig()


@pytest.fixture
async def server(config: SandboxConfig) -> AsyncIterator[SandboxServer]:
    srv = SandboxServer(config=config)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def client(server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.base_url) as sandbox_client:
        yield sandbox_client


@pytest.fixture
async def api(server: SandboxServer) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(server, session)


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[Bot]:
    ptb_bot = Bot(server.token, base_url=server.bot_api_base, base_file_url=server.file_api_base)
    await ptb_bot.initialize()
    try:
        yield ptb_bot
    finally:
        await ptb_bot.shutdown()


@pytest.fixture
async def started_user(client: SandboxClient) -> dict[str, Any]:
    """A user who has written /start, so the bot may write to them."""
    user = await client.add_user("Ann", username="ann_resident", persona="resident")
    await client.send_text(user["id"], "/start")
    return user


_PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def png() -> bytes:
    """A valid 1x1 PNG."""
    return _PNG_1x1
