"""Switchable flood limits and injected faults."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter

from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.faults import FaultConfig
from sandbox.server import SandboxServer


async def _started_users(client: SandboxClient, count: int) -> list[int]:
    ids = []
    for index in range(count):
        user = await client.add_user(f"User {index}")
        await client.send_text(user["id"], "/start")
        ids.append(user["id"])
    return ids


async def test_limits_are_off_by_default(api, started_user: dict) -> None:
    for index in range(10):
        await api.ok("sendMessage", chat_id=started_user["id"], text=str(index))


async def test_private_chat_burst_then_429_then_retry(
    api, client: SandboxClient, started_user: dict
) -> None:
    await client.configure(flood_limits=True)
    uid = started_user["id"]
    for index in range(3):
        await api.ok("sendMessage", chat_id=uid, text=f"burst {index}")
    status, body = await api.call("sendMessage", chat_id=uid, text="one too many")
    assert status == 429 and body["error_code"] == 429
    retry_after = body["parameters"]["retry_after"]
    assert isinstance(retry_after, int) and retry_after >= 1
    assert body["description"] == f"Too Many Requests: retry after {retry_after}"
    edit = await api.call("editMessageText", chat_id=uid, message_id=2, text="edits are free")
    assert edit[0] == 200
    await asyncio.sleep(retry_after)
    after = await api.ok("sendMessage", chat_id=uid, text="after waiting")
    assert after["text"] == "after waiting"


async def test_group_limit_is_twenty_a_minute(
    api, client: SandboxClient, server: SandboxServer
) -> None:
    group = await client.create_group("Busy group")
    server.sandbox.limits.clock = lambda: 1000.0
    await client.configure(flood_limits=True)
    for index in range(20):
        await api.ok("sendMessage", chat_id=group["id"], text=str(index))
    status, body = await api.call("sendMessage", chat_id=group["id"], text="21st")
    assert status == 429 and body["parameters"]["retry_after"] >= 1


async def test_global_limit_and_paid_broadcast(
    api, client: SandboxClient, server: SandboxServer
) -> None:
    users = await _started_users(client, 31)
    server.sandbox.limits.clock = lambda: 1000.0  # frozen: no refill however slow the machine
    await client.configure(flood_limits=True)
    for uid in users[:30]:
        await api.ok("sendMessage", chat_id=uid, text="broadcast")
    status, _ = await api.call("sendMessage", chat_id=users[30], text="broadcast")
    assert status == 429
    paid = await api.ok("sendMessage", chat_id=users[30], text="paid", allow_paid_broadcast=True)
    assert paid["text"] == "paid"


async def test_ptb_sees_retry_after(bot: Bot, client: SandboxClient, started_user: dict) -> None:
    await client.configure(flood_limits=True)
    for _ in range(3):
        await bot.send_message(started_user["id"], "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(started_user["id"], "x")
    retry_after = caught.value.retry_after
    seconds = retry_after if isinstance(retry_after, int) else retry_after.total_seconds()
    assert seconds >= 1
    await client.configure(flood_limits=False)
    assert await bot.send_message(started_user["id"], "limits off")


async def _outcomes(api, uid: int, count: int) -> list[int]:
    """HTTP status per call, 0 for a dropped connection."""
    statuses = []
    for index in range(count):
        try:
            statuses.append((await api.call("sendMessage", chat_id=uid, text=str(index)))[0])
        except aiohttp.ServerDisconnectedError:
            statuses.append(0)
    return statuses


async def test_5xx_faults_follow_the_seed(api, client: SandboxClient, started_user: dict) -> None:
    faults = {"rate": 0.5, "kinds": ["5xx"], "methods": ["sendMessage"]}
    await client.configure(faults=faults, seed=7)
    first = await _outcomes(api, started_user["id"], 20)
    assert set(first) <= {200, 500, 502}
    assert 3 <= first.count(200) <= 17
    await client.configure(seed=7)
    assert await _outcomes(api, started_user["id"], 20) == first
    assert (await api.call("getMe"))[0] == 200  # other methods are untouched
    delivered = [m["text"] for m in await client.bot_messages(started_user["id"])]
    assert delivered == [str(i) for i, status in enumerate(first) if status == 200] * 2

    await client.configure(faults={"rate": 1.0, "kinds": ["5xx"]}, seed=1)
    bodies = set()
    for _ in range(10):
        async with api.session.post(api.url("getMe")) as response:
            bodies.add((response.status, response.content_type))
    assert bodies == {(502, "text/html"), (500, "application/json")}
    await client.configure(faults=None)
    assert (await api.call("getMe"))[0] == 200
    failed = [c for c in await client.calls("sendMessage") if c["error_code"] in (500, 502)]
    assert len(failed) == 2 * first.count(500) + 2 * first.count(502)


async def test_slow_and_dropped_answers(api, bot: Bot, client: SandboxClient) -> None:
    await client.configure(faults={"rate": 1.0, "kinds": ["slow"], "slow_ms": 300})
    started = time.monotonic()
    assert (await api.call("getMe"))[0] == 200
    assert time.monotonic() - started >= 0.3
    await client.configure(faults={"rate": 1.0, "kinds": ["drop"], "methods": ["getMe"]})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("getMe")
    with pytest.raises(NetworkError):
        await bot.get_me()
    calls = await client.calls("getMe")
    assert calls[-1]["description"] == "connection dropped by fault injection"


async def test_mixed_faults_repeat_with_the_seed(api, client: SandboxClient,
                                                started_user: dict) -> None:
    faults = {"rate": 0.6, "kinds": ["5xx", "slow", "drop"], "slow_ms": 5}
    await client.configure(faults=faults, seed=11)
    first = await _outcomes(api, started_user["id"], 30)
    assert {0, 200} <= set(first) and set(first) & {500, 502}
    await client.configure(seed=11)
    assert await _outcomes(api, started_user["id"], 30) == first


def test_fault_config_validates() -> None:
    with pytest.raises(ValueError, match="kinds"):
        FaultConfig(rate=0.1, kinds=("explode",))
    with pytest.raises(ValueError, match="rate"):
        FaultConfig(rate=2.0)
    config = FaultConfig.from_dict({"rate": 0.25, "kinds": ["slow"], "methods": ["sendMessage"]})
    assert config.applies_to("SENDMESSAGE") and not config.applies_to("getMe")
    assert config.to_dict() == {"rate": 0.25, "kinds": ["slow"], "methods": ["sendMessage"],
                                "slow_ms": 500, "retry_after": 1, "count": None}
    with pytest.raises(ValueError, match="retry_after"):
        FaultConfig(rate=1.0, kinds=("429",), retry_after=0)
    with pytest.raises(ValueError, match="count"):
        FaultConfig(rate=1.0, count=-1)


async def test_a_counted_429_passes_on_the_retry(api, client: SandboxClient,
                                                 started_user: dict) -> None:
    uid = started_user["id"]
    await client.configure(faults={"rate": 1.0, "kinds": ["429"], "methods": ["sendMessage"],
                                   "retry_after": 3, "count": 1})
    status, body = await api.call("sendMessage", chat_id=uid, text="first try")
    assert (status, body) == (429, {"ok": False, "error_code": 429,
                                    "description": "Too Many Requests: retry after 3",
                                    "parameters": {"retry_after": 3}})
    assert (await api.ok("sendMessage", chat_id=uid, text="second try"))["text"] == "second try"
    assert [m["text"] for m in await client.bot_messages(uid)] == ["second try"]
    # A new configuration counts afresh.
    await client.configure(faults={"rate": 1.0, "kinds": ["429"], "count": 1})
    assert (await api.call("getMe"))[0] == 429
    assert (await api.call("getMe"))[0] == 200


@pytest.mark.parametrize("config", [SandboxConfig(flood_limits=True)])
async def test_limits_can_start_on(api, started_user: dict, config: SandboxConfig) -> None:
    statuses = [(await api.call("sendMessage", chat_id=started_user["id"], text="x"))[0]
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
