"""Changes made elsewhere (the CLI, another process) are honoured by the running bot on its
next update: the cache triggers, the shared versions, and the bot end to end."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.people import PeopleService
from storage import cache_triggers
from storage.db import Database
from storage.models import Role
from storage.repositories.users import TelegramIdentity, UserRepository
from tests.driver import buttons, press_data, say, wait_reply
from tests.hotline_support import ALL_DAY, ask, offer_to, social_worker, submit
from tests.support import bot_idle, running_hotline

REPO = Path(__file__).resolve().parent.parent


async def moved(read: Callable[[], int], before: int, *, within: float = 1.0) -> int:
    """The version once it differs from `before` (PostgreSQL's NOTIFY arrives after commit)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (now := read()) == before:
        assert loop.time() < deadline, f"the version stayed {before} for {within} s"
        await asyncio.sleep(0.005)
    return now


async def test_every_watched_table_has_its_triggers(database: Database) -> None:
    async with database.engine.connect() as connection:
        found = await connection.run_sync(cache_triggers.installed)
    assert found == cache_triggers.expected()
    assert len(found) == 3 * len(cache_triggers.WATCHED) - 1  # a new user concerns no cache
    assert "cache_hotline_blocks_delete" in found and "cache_users_insert" not in found


async def test_only_changes_that_matter_move_the_shared_versions(database: Database) -> None:
    other = Database(database.url)  # another process's engine on the same database
    await database.watch_changes()
    versions = database.shared_versions
    try:
        theirs = UserRepository(other)
        roles, users = versions["user_roles"], versions["users"]
        # A first contact (its "resident" role) and a contact's name and last_seen_at concern
        # no cache; the role granted after them does, once.
        await theirs.record_contact(TelegramIdentity(501, "Ann", None, None, "en"), "en")
        await theirs.record_contact(TelegramIdentity(501, "Anne", None, "anne", "en"), "en")
        await theirs.grant(501, Role.STAFF, "en")
        assert await moved(lambda: versions["user_roles"], roles) == roles + 1
        await theirs.set_locale(501, "zh_CN")
        assert await moved(lambda: versions["users"], users) == users + 1
        assert versions["user_roles"] == roles + 1
    finally:
        await other.close()


async def test_a_role_granted_by_another_process_is_seen_by_the_next_read(
        database: Database) -> None:
    users = UserRepository(database)
    people = PeopleService(users, "en", ())
    await database.watch_changes()
    person, _ = await people.seen(TelegramIdentity(601, "Wang", None, None, "en"), "en")
    assert person.roles == frozenset({"resident"})
    other = Database(database.url)
    try:
        before = users.version()
        await UserRepository(other).grant(601, Role.EXPERT, "en")
        await moved(lambda: hash(users.version()), hash(before))
        person = await people.get(601)
        assert person is not None and "expert" in person.roles
        before = users.version()
        await UserRepository(other).revoke(601, Role.EXPERT)
        await moved(lambda: hash(users.version()), hash(before))
        person, _ = await people.seen(TelegramIdentity(601, "Wang", None, None, "en"), "en")
        assert "expert" not in person.roles
    finally:
        await other.close()


async def menu_of(sandbox: SandboxClient, user_id: int,
                  until: Callable[[list[str]], bool]) -> list[str]:
    """The person's own command menu, once `until` holds for it (it is set in the background
    of the update that showed the change)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while True:
        commands = [c["command"] for c in await sandbox.my_commands(
            scope={"type": "chat", "chat_id": user_id})]
        if until(commands) or loop.time() > deadline:
            return commands
        await asyncio.sleep(0.05)


def cli(database_url: str, *args: str) -> str:
    """`hotline ...` in its own process, as staff run it next to the bot."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def run_cli(database_url: str, *args: str) -> str:
    return await asyncio.to_thread(cli, database_url, *args)


async def test_cli_changes_are_honoured_by_the_running_bot_at_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, database_url: str,
        tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    hotline: Hotline = await running_hotline(sandbox_server, tmp_path, database_url=database_url)
    try:
        wang = await sandbox.add_user("Wang", language_code="en")
        li = await sandbox.add_user("Li", language_code="en")
        for user in (wang, li):  # the bot knows them (and caches them) as residents
            await sandbox.send_text(user["id"], "/start")
            await wait_reply(sandbox, user["id"])
        asker = await social_worker(hotline, sandbox, "Emma")

        # An expert added and put on duty from the command line claims at once.
        await run_cli(database_url, "experts", "add", str(wang["id"]), "--name", "Wang",
                      "--categories", "legal")
        plan = tmp_path / "roster.csv"
        plan.write_text(f"telegram_id,categories,days,start,end\n{wang['id']},legal,{ALL_DAY}\n")
        await run_cli(database_url, "roster", "import", str(plan))
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "First question"))
        offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
        claimed = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        assert claimed["answer"]["text"] == "Claimed: the question is yours."
        assert "duty" in await menu_of(sandbox, wang["id"], lambda c: "duty" in c)

        # The roster replaced from the command line routes the next case.
        await run_cli(database_url, "experts", "add", str(li["id"]), "--name", "Li",
                      "--categories", "legal")
        plan.write_text(f"telegram_id,categories,days,start,end\n{li['id']},legal,{ALL_DAY}\n")
        await run_cli(database_url, "roster", "import", str(plan))
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Second question"))
        offer = await offer_to(sandbox, li["id"], "C-2026-0002")
        await bot_idle(hotline)
        assert not [m for m in await sandbox.bot_messages(wang["id"])
                    if "C-2026-0002" in (m.get("text") or "")]

        # A role revoked from the command line is refused on the next press.
        await run_cli(database_url, "users", "revoke", str(li["id"]), "expert")
        refused = await press_data(sandbox, li["id"], offer, buttons(offer)[0][1])
        assert refused["answer"]["text"] == "Sorry, you are not allowed to do that."
        assert await menu_of(sandbox, li["id"], lambda c: "duty" not in c) == []

        # A block and an unblock from the command line apply to the next message.
        await run_cli(database_url, "cases", "block", str(asker["id"]), "--reason", "abuse")
        barred = await say(sandbox, asker["id"], "/ask")
        assert barred["text"].startswith("Sorry, you have been barred from the expert hotline.")
        await run_cli(database_url, "cases", "unblock", str(asker["id"]))
        again = await say(sandbox, asker["id"], "/ask", "")
        assert not again["text"].startswith("Sorry, you have been barred")
    finally:
        await hotline.stop()
