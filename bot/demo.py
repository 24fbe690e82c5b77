"""The embedded defaults: a local Bot API sandbox with demo people and content, for `make run`.

The sandbox keeps its world (people, chats, topics, messages, files) in a file next to the
database, so a restart finds the chats and topics the database names. Demo people have fixed
ids (bot/demo_personas.csv) and have started the bot, as real people would have before anyone
could offer them a consultation.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import escape
from pydantic import SecretStr

from bot.database_choice import DatabaseChoice, choose_database
from bot.settings import Settings, SettingsError, describe_os_error
from sandbox.client import SandboxClient
from sandbox.persistence import WorldFileError
from sandbox.server import SandboxConfig, SandboxServer
from services.announcements.broadcasts import DETAIL_FIELDS, Draft
from services.container import Services
from services.trainings.courses import plan_from_toml
from storage.models import Role

PERSONAS_FILE = Path(__file__).with_name("demo_personas.csv")
CONTENT_FILE = Path(__file__).with_name("demo_content.toml")
STAFF_GROUP_TITLE = "社区热线工作组 · Hotline staff"


@dataclass(frozen=True, slots=True)
class Persona:
    telegram_id: int
    first_name: str
    last_name: str
    username: str
    language_code: str
    persona: str
    roles: tuple[Role, ...]


def load_personas(path: Path = PERSONAS_FILE) -> list[Persona]:
    with path.open(encoding="utf-8") as file:
        return [
            Persona(
                telegram_id=int(row["telegram_id"]),
                first_name=row["first_name"],
                last_name=row["last_name"],
                username=row["username"],
                language_code=row["language_code"],
                persona=row["persona"],
                roles=tuple(Role(r) for r in row["roles"].split(";") if r),
            )
            for row in csv.DictReader(file)
        ]


@dataclass
class DemoWorld:
    settings: Settings
    server: SandboxServer
    personas: list[Persona]
    staff_group_id: int
    world_line: str  # what became of the previous run's sandbox world, in one sentence

    def banner(self, asked_for_sandbox: bool) -> str:
        reason = ("Sandbox mode" if asked_for_sandbox else
                  "No HOTLINE_BOT_TOKEN set: running on the embedded defaults")
        return (f"{reason} (SQLite at {self.settings.sqlite_path()} and the local Bot API "
                f"sandbox). Open {self.server.chat_page_url} to chat with the bot (as the staff "
                f"member there, /console opens the web console); Ctrl-C stops.")

    async def stop(self) -> None:
        await self.server.stop()


def world_file_for(choice: DatabaseChoice) -> Path:
    """data/sandbox.db keeps its world in data/sandbox-world.json; other databases in data/."""
    database = choice.sqlite_file
    if database is None:
        return Path("data") / "sandbox-world.json"
    return database.with_name(f"{database.stem}-world.json")


def _set_aside(database: Path) -> Path:
    """Moves a database whose sandbox world is gone out of the way (with its WAL files)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = database.with_name(f"{database.stem}-without-world-{stamp}{database.suffix}")
    for suffix in ("", "-wal", "-shm"):
        source = database.with_name(database.name + suffix)
        if source.exists():
            os.replace(source, target.with_name(target.name + suffix))
    return target


def _talked_in_lost_world(database: Path) -> bool:
    """Whether a bot already talked to people through this database (so its chats and
    topics were in a sandbox world that is gone); a database only the CLI wrote to is fine."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return db.execute("SELECT 1 FROM conversation_log LIMIT 1").fetchone() is not None
    except sqlite3.Error:  # no such table yet, or not a database: nothing to lose either way
        return False


def prepare_world(choice: DatabaseChoice, world_file: Path) -> str:
    """Keeps the database and its world together; returns the sentence that says how."""
    if world_file.exists():
        return f"Sandbox world: kept from {world_file} (people, chats, topics and messages)."
    database = choice.sqlite_file
    if database is not None and _talked_in_lost_world(database):
        if not choice.explicit:
            moved = _set_aside(database)
            return (f"Sandbox world: none was kept for {database}, whose chats and topics "
                    f"are gone with it, so it was moved to {moved} and both start fresh "
                    f"(the world is kept in {world_file} from now on).")
        return (f"Sandbox world: new, kept in {world_file} from now on; the chats and topics "
                f"{database} names from an earlier sandbox are gone.")
    return f"Sandbox world: new, kept in {world_file} across restarts."


async def start_demo_sandbox(settings: Settings) -> DemoWorld:
    """Starts the sandbox on its kept world, adds the demo people who are not there yet (each
    starts the bot) and the staff group, and points the settings at it."""
    choice = choose_database(settings, sandbox=True)
    world_file = world_file_for(choice)
    world_file.parent.mkdir(parents=True, exist_ok=True)
    world_line = prepare_world(choice, world_file)
    server = SandboxServer(host="127.0.0.1", port=settings.sandbox_port, config=SandboxConfig(),
                           world_file=world_file)
    try:
        await server.start()
    except WorldFileError as error:
        raise SettingsError(f"The sandbox world cannot be restored: {error}; move the file "
                            f"away to start a new one.") from None
    except OSError as exc:
        raise SettingsError(
            f"HOTLINE_SANDBOX_PORT: cannot listen on 127.0.0.1:{settings.sandbox_port} "
            f"({describe_os_error(exc)})."
        ) from None
    try:
        personas = load_personas()
        group_id = await _populate(server, personas)
    except BaseException:
        await server.stop()
        raise
    sandboxed = settings.model_copy(update={
        "bot_token": SecretStr(server.token),
        "api_base_url": server.bot_api_base,
        "api_file_base_url": server.file_api_base,
        "database_url": choice.url,
        "webhook_url": None,
        "staff_chat_id": group_id,
    })
    return DemoWorld(sandboxed, server, personas, group_id, world_line)


async def _populate(server: SandboxServer, personas: list[Persona]) -> int:
    """The demo people and the staff group, where the kept world lacks them; the group's id."""
    async with SandboxClient(server.base_url) as client:
        state = await client.state()
        known = {user["id"] for user in state["users"]}
        for p in personas:
            if p.telegram_id in known:
                continue
            await client.add_user(p.first_name, last_name=p.last_name or None,
                                  username=p.username, language_code=p.language_code,
                                  user_id=p.telegram_id, persona=p.persona)
            # As a real person would have: without it the bot may not write to them
            # ("bot can't initiate conversation"), so no consultation could be offered.
            await client.send_text(p.telegram_id, "/start")
        for chat in state["chats"]:
            if chat.get("title") == STAFF_GROUP_TITLE:
                return chat["id"]
        staff_ids = [p.telegram_id for p in personas if Role.STAFF in p.roles]
        group = await client.create_group(STAFF_GROUP_TITLE, is_forum=True,
                                          member_ids=staff_ids)
        return group["id"]


async def seed_demo_roles(world: DemoWorld, services: Services) -> None:
    for persona in world.personas:
        for role in persona.roles:
            await services.people.grant(persona.telegram_id, role)


def demo_course_file(training: dict[str, Any], today: date) -> str:
    """A course file (docs/trainings.md) with the demo course's dates counted from today."""
    lines = [f"{key} = {json.dumps(training[key], ensure_ascii=False)}"
             for key in ("title", "kind", "description", "audience")]
    deadline = today + timedelta(days=training["deadline_in_days"])
    lines += [f"capacity = {int(training['capacity'])}",
              f"registration_deadline = {deadline.isoformat()}T18:00:00"]
    for session in training["sessions"]:
        day = (today + timedelta(days=session["in_days"])).isoformat()
        lines += ["[[sessions]]", f"start = {day}T{session['start']}:00",
                  f"end = {day}T{session['end']}:00",
                  f"place = {json.dumps(session['place'], ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"


def load_demo_content(path: Path = CONTENT_FILE) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


async def seed_demo_content(services: Services, content: dict[str, Any] | None = None) -> None:
    """Experts on duty now, a training and two project calls, once, into an empty demo
    database."""
    content = content or load_demo_content()
    hotline = services.hotline
    await hotline.experts.seed_categories_if_empty()
    if not await hotline.experts.all():
        for expert in content["experts"]:
            await hotline.experts.add(expert["telegram_id"], expert["name"],
                                      expert["categories"], name_en=expert["name_en"])
        await hotline.roster.import_file(content["roster"].strip() + "\n")
    if not await services.trainings.open_courses():
        now = datetime.now(services.trainings.zone)
        plan = plan_from_toml(demo_course_file(content["training"], now.date()),
                              services.trainings.zone, now)
        await services.trainings.create(plan, created_by=None)
    if not await services.announcements.latest(1):
        for item in content["announcements"]:
            details = {field: item[field] for field in DETAIL_FIELDS if item.get(field)}
            await services.announcements.publish(Draft(
                author_id=None, topic=item["topic"], title=item["title"],
                body_html=str(escape(item["body"])), details=details,
            ))
