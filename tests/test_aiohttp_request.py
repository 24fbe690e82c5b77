"""The aiohttp request class under PTB, against the sandbox: uploads, downloads, timeouts,
dropped connections and Telegram's errors, mapped as PTB's own HTTPXRequest maps them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.aiohttp_request import AiohttpRequest
from bot.settings import load_settings
from bot.transport import default_request
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer

# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


@pytest.fixture
async def bot(sandbox_server: SandboxServer) -> AsyncIterator[Bot]:
    request = AiohttpRequest(read_timeout=2.0, connection_pool_size=8)
    async with Bot(sandbox_server.token, base_url=sandbox_server.bot_api_base,
                   base_file_url=sandbox_server.file_api_base, request=request) as bot:
        yield bot


async def _person(sandbox: SandboxClient) -> int:
    user = await sandbox.add_user("Ann", language_code="en")
    await sandbox.send_text(user["id"], "hello")
    return user["id"]


async def test_text_upload_and_download(bot: Bot, sandbox: SandboxClient) -> None:
    chat = await _person(sandbox)
    sent = await bot.send_message(chat, "<b>你好</b> & hi", parse_mode="HTML")
    assert sent.text == "你好 & hi"
    photo = await bot.send_photo(chat, PNG, caption="一张图")
    document = await bot.send_document(chat, b"a,b\n1,2\n", filename="名单.csv")
    assert document.document.file_name == "名单.csv"
    stored = await sandbox.file_bytes(photo.photo[-1].file_id)
    assert stored == PNG
    downloaded = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"
    assert photo.caption == "一张图"


async def test_telegram_errors_map_as_in_ptb(bot: Bot, sandbox: SandboxClient) -> None:
    chat = await _person(sandbox)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(4_000_000_001, "x")
    await sandbox.block_bot(chat)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(chat, "x")


async def test_a_slow_answer_times_out(bot: Bot, sandbox: SandboxClient) -> None:
    chat = await _person(sandbox)
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["slow"], "slow_ms": 1500,
                                    "methods": ["sendMessage"]})
    with pytest.raises(TimedOut):
        await bot.send_message(chat, "x", read_timeout=0.3)
    await sandbox.configure(faults=None)
    assert (await bot.send_message(chat, "again")).text == "again"


async def test_a_dropped_connection_and_a_502_are_network_errors(
        bot: Bot, sandbox: SandboxClient) -> None:
    chat = await _person(sandbox)
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["drop"], "methods": ["sendMessage"]})
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(chat, "x")
    assert not isinstance(dropped.value, TimedOut | BadRequest)
    assert "aiohttp." in dropped.value.message
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["5xx"], "methods": ["sendMessage"]},
                            seed=1)
    with pytest.raises(NetworkError):
        await bot.send_message(chat, "x")
    await sandbox.configure(faults=None)


async def test_an_unreachable_server_is_a_network_error() -> None:
    request = AiohttpRequest(connect_timeout=1.0)
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps the RuntimeError
        await request.post("http://127.0.0.1:9/bot123/getMe")
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await request.post("http://127.0.0.1:9/bot123/getMe")  # nothing listens on 9
    finally:
        await request.shutdown()


def test_the_setting_picks_the_client() -> None:
    assert isinstance(default_request(), AiohttpRequest)
    settings = load_settings(_env_file=None, http_client="httpx")
    assert type(default_request(client=settings.http_client)).__name__ == "HTTPXRequest"
