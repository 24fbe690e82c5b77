"""The demo (`make run` with no token): its people have started the bot, and its sandbox world
(people, chats, topics, messages, files) survives a restart together with its database."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.database_choice import choose_database
from bot.demo import prepare_world, world_file_for
from bot.settings import load_settings
from sandbox.client import SandboxClient
from sandbox.persistence import WorldFileError
from sandbox.server import SandboxConfig, SandboxServer
from tests.driver import buttons, press_data, say, wait_edit, wait_reply, with_buttons
from tests.hotline_support import PNG
from tests.support import free_port
from tests.test_cli import TOKEN_SHAPE, hotline_env

STAFF, LEGAL_EXPERT = 900000005, 900000003  # bot/demo_personas.csv


async def a_topic_created(client: SandboxClient) -> None:
    """Waits (long-polling the sandbox's events) until the bot has created a forum topic."""
    seq = 0
    async with asyncio.timeout(20):
        while True:
            found = await client.events(after=seq, wait=5)
            if any(e["type"] == "topic" and e.get("action") == "created"
                   for e in found["events"]):
                return
            seq = found["events"][-1]["seq"] if found["events"] else seq


class DemoRun:
    """`hotline run` in a subprocess, as `make run` starts it with no token."""

    def __init__(self, folder: Path, sandbox_port: int, http_port: int, name: str) -> None:
        self.folder, self.sandbox_port, self.http_port = folder, sandbox_port, http_port
        self.log = folder / f"{name}.log"  # a file: a full stderr pipe would stall the bot
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []

    async def __aenter__(self) -> DemoRun:
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=self.folder,
                env=hotline_env(self.folder, HOTLINE_SANDBOX_PORT=str(self.sandbox_port),
                                HOTLINE_HTTP_PORT=str(self.http_port), HOTLINE_DATABASE_URL=""),
                stdout=asyncio.subprocess.PIPE, stderr=log)
        assert self.process.stdout is not None
        while not (self.lines and self.lines[-1].startswith("No HOTLINE_BOT_TOKEN set")):
            line = await asyncio.wait_for(self.process.stdout.readline(), 90)
            assert line, f"the bot ended before its banner: {self.log.read_text()}"
            self.lines.append(line.decode().rstrip("\n"))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.communicate(), 60)
        output = self.log.read_text()
        assert self.process.returncode == 0, output
        assert "Traceback" not in output and not TOKEN_SHAPE.search(output)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"


def world_of(state: dict[str, Any]) -> dict[str, Any]:
    """What must survive a restart: who exists, which chats, which topics."""
    return {
        "users": sorted((u["id"], u["first_name"]) for u in state["users"]),
        "chats": sorted((c["id"], c.get("title"), tuple(sorted(
            (t["message_thread_id"], t["name"]) for t in c.get("topics", []))))
            for c in state["chats"]),
    }


async def test_demo_offers_reach_experts_and_the_world_survives_a_restart(
        tmp_path: Path) -> None:
    ports = free_port(), free_port()
    async with DemoRun(tmp_path, *ports, name="first") as first:
        assert first.lines[0] == (
            "Sandbox world: new, kept in data/sandbox-world.json across restarts.")
        async with SandboxClient(first.url) as client:
            # Every demo person has started the bot: their private chats exist.
            state = await client.state()
            private = {c["id"] for c in state["chats"] if c["type"] == "private"}
            assert private == {900000001, 900000002, 900000003, 900000004, 900000005,
                               900000006, 900000007}
            # The staff member asks a legal question; the offer reaches the demo expert,
            # who has never written to the bot himself.
            chooser = await say(client, STAFF, "/ask", with_buttons, timeout=20)
            await press_data(client, STAFF, chooser, "hotline:ask:legal")
            await wait_edit(client, STAFF, chooser["message_id"])
            confirm = await say(client, STAFF, "居民想了解物业纠纷的调解程序。", with_buttons)
            await press_data(client, STAFF, confirm, "hotline:ask_send")
            offer = await wait_reply(client, LEGAL_EXPERT, lambda m: any(
                data.startswith("hotline:claim:") for _, data in buttons(m)), timeout=20)
            assert "物业纠纷" in offer["text"]
            await a_topic_created(client)  # the case's topic in the staff group
            before = world_of(await client.state())
            assert any(topics for _, _, topics in before["chats"])
            asker_messages = await client.messages(STAFF)
    saved = json.loads((tmp_path / "data" / "sandbox-world.json").read_text(encoding="utf-8"))
    assert {u["user"]["id"] for u in saved["users"]} >= {STAFF, LEGAL_EXPERT}

    async with DemoRun(tmp_path, *ports, name="second") as second:
        assert second.lines[0] == ("Sandbox world: kept from data/sandbox-world.json "
                                   "(people, chats, topics and messages).")
        async with SandboxClient(second.url) as client:
            assert world_of(await client.state()) == before
            assert [m["message_id"] for m in await client.messages(STAFF)][
                :len(asker_messages)] == [m["message_id"] for m in asker_messages]
            # The offer sent before the restart still works, and the bot reaches both sides.
            claim = next(data for _, data in buttons(offer) if data.startswith("hotline:claim:"))
            pressed = await press_data(client, LEGAL_EXPERT, offer, claim, wait_answer=10)
            assert pressed["answer"] is not None
            await wait_reply(client, LEGAL_EXPERT, after=offer["message_id"], timeout=20)
            await client.send_text(LEGAL_EXPERT, "您好，请说明纠纷的具体情况。")
            relayed = await wait_reply(client, STAFF, "请说明纠纷的具体情况",
                                       after=asker_messages[-1]["message_id"], timeout=20)
            assert relayed["chat"]["id"] == STAFF
            assert world_of(await client.state())["users"] == before["users"]


async def test_a_sandbox_world_file_restores_chats_topics_files_and_pending_updates(
        tmp_path: Path) -> None:
    world_file = tmp_path / "world.json"
    first = SandboxServer(config=SandboxConfig(), world_file=world_file)
    await first.start()
    async with SandboxClient(first.base_url) as client, aiohttp.ClientSession() as http:
        ann = await client.add_user("Ann", language_code="en", persona="resident")
        bob = await client.add_user("Bob", username="bob_sw")
        group = await client.create_group("Staff", member_ids=[ann["id"]])
        api = f"{first.bot_api_base}{first.token}"
        async with http.post(f"{api}/createForumTopic",
                             json={"chat_id": group["id"], "name": "C-2026-0001"}) as response:
            topic = (await response.json())["result"]
        photo = await client.send_photo(ann["id"], PNG, caption="照片")
        await client.send_text(bob["id"], "/start")
        await client.block_bot(bob["id"])
        pending = await client.send_text(ann["id"], "written while the bot was away")
        before = world_of(await client.state())
    await first.stop()

    second = SandboxServer(config=SandboxConfig(), world_file=world_file)
    await second.start()
    try:
        assert second.world_restored and second.token != first.token
        async with SandboxClient(second.base_url) as client, aiohttp.ClientSession() as http:
            state = await client.state()
            assert world_of(state) == before
            assert {u["id"]: u["blocked"] for u in state["users"]} == {ann["id"]: False,
                                                                      bob["id"]: True}
            api = f"{second.bot_api_base}{second.token}"
            # The update nobody fetched before the restart is still there, once.
            async with http.post(f"{api}/getUpdates", json={"timeout": 0}) as response:
                updates = (await response.json())["result"]
            texts = [u["message"].get("text") for u in updates if "message" in u]
            assert texts.count("written while the bot was away") == 1
            assert updates[-1]["message"]["message_id"] == pending["message_id"]
            # A file_id from before the restart can be sent again (a resumed broadcast).
            file_id = photo["photo"][-1]["file_id"]
            assert await client.file_bytes(file_id) == PNG
            async with http.post(f"{api}/sendPhoto", json={
                    "chat_id": group["id"], "photo": file_id,
                    "message_thread_id": topic["message_thread_id"]}) as response:
                sent = await response.json()
            assert sent["ok"], sent
            assert sent["result"]["message_thread_id"] == topic["message_thread_id"]
            # New ids follow the old ones: a new user and group never take a kept id.
            carl = await client.add_user("Carl")
            assert carl["id"] not in {ann["id"], bob["id"]}
            other = await client.create_group("Other")
            assert other["id"] != group["id"]
    finally:
        await second.stop()


def test_a_database_whose_world_is_lost_is_set_aside_so_both_start_fresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    demo = choose_database(load_settings(_env_file=None), sandbox=True)
    world_file = world_file_for(demo)
    assert world_file == Path("data/sandbox-world.json")
    Path("data").mkdir()
    with sqlite3.connect("data/sandbox.db") as db:  # only the CLI wrote here: kept
        db.execute("CREATE TABLE conversation_log (id INTEGER PRIMARY KEY)")
    assert prepare_world(demo, world_file) == (
        "Sandbox world: new, kept in data/sandbox-world.json across restarts.")
    assert Path("data/sandbox.db").exists()
    with sqlite3.connect("data/sandbox.db") as db:  # a bot talked to people of a lost world
        db.execute("INSERT INTO conversation_log (id) VALUES (1)")
    line = prepare_world(demo, world_file)
    moved = sorted(Path("data").glob("sandbox-without-world-*.db"))
    assert len(moved) == 1 and not Path("data/sandbox.db").exists()
    assert line == (f"Sandbox world: none was kept for data/sandbox.db, whose chats and topics "
                    f"are gone with it, so it was moved to {moved[0]} and both start fresh "
                    f"(the world is kept in data/sandbox-world.json from now on).")
    # A database someone named is theirs: never moved, only warned about.
    Path(moved[0]).rename("data/mine.db")
    own = choose_database(load_settings(_env_file=None,
                                        database_url="sqlite+aiosqlite:///data/mine.db"))
    assert prepare_world(own, world_file_for(own)).startswith(
        "Sandbox world: new, kept in data/mine-world.json from now on; the chats and topics "
        "data/mine.db names from an earlier sandbox are gone.")
    assert Path("data/mine.db").exists()


async def test_a_damaged_world_file_stops_start_up_in_one_sentence(tmp_path: Path) -> None:
    world_file = tmp_path / "world.json"
    world_file.write_text('{"version": 1, "bot_id": 7000000001, "users": [{}]}')
    server = SandboxServer(config=SandboxConfig(), world_file=world_file)
    with pytest.raises(WorldFileError, match=r"world\.json is damaged \(KeyError"):
        await server.start()
    assert server.sandbox.world.users == {}
    world_file.write_text("not json")
    with pytest.raises(WorldFileError, match=r"world\.json cannot be read"):
        await SandboxServer(config=SandboxConfig(), world_file=world_file).start()
