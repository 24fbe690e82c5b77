"""The embedded defaults: a local Bot API sandbox with demo people and content, for `make run`.

Demo people have fixed ids (bot/demo_personas.csv), so the roles they hold in the database
stay right across restarts while the sandbox itself starts empty each time.
"""

from __future__ import annotations

import csv
import json
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import escape
from pydantic import SecretStr

from bot.settings import Settings, SettingsError, describe_os_error
from sandbox.client import SandboxClient
from sandbox.server import SandboxConfig, SandboxServer
from services.announcements.broadcasts import DETAIL_FIELDS, Draft
from services.container import Services
from services.trainings.courses import plan_from_toml
from storage.models import Role

PERSONAS_FILE = Path(__file__).with_name("demo_personas.csv")
CONTENT_FILE = Path(__file__).with_name("demo_content.toml")
DEFAULT_DATABASE = Settings.model_fields["database_url"].default
SANDBOX_DATABASE = "sqlite+aiosqlite:///data/sandbox.db"
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

    def banner(self, asked_for_sandbox: bool) -> str:
        reason = ("Sandbox mode" if asked_for_sandbox else
                  "No HOTLINE_BOT_TOKEN set: running on the embedded defaults")
        return (f"{reason} (SQLite at {self.settings.sqlite_path()} and the local Bot API "
                f"sandbox). Open {self.server.chat_page_url} to chat with the bot (as the staff "
                f"member there, /console opens the web console); Ctrl-C stops.")

    async def stop(self) -> None:
        await self.server.stop()


async def start_demo_sandbox(settings: Settings) -> DemoWorld:
    """Starts the sandbox, creates the demo people and the staff group, points settings at it."""
    server = SandboxServer(host="127.0.0.1", port=settings.sandbox_port, config=SandboxConfig())
    try:
        await server.start()
    except OSError as exc:
        raise SettingsError(
            f"HOTLINE_SANDBOX_PORT: cannot listen on 127.0.0.1:{settings.sandbox_port} "
            f"({describe_os_error(exc)})."
        ) from None
    personas = load_personas()
    async with SandboxClient(server.base_url) as client:
        for p in personas:
            await client.add_user(p.first_name, last_name=p.last_name or None,
                                  username=p.username, language_code=p.language_code,
                                  user_id=p.telegram_id, persona=p.persona)
        staff_ids = [p.telegram_id for p in personas if Role.STAFF in p.roles]
        group = await client.create_group(STAFF_GROUP_TITLE, is_forum=True, member_ids=staff_ids)
    database_url = (SANDBOX_DATABASE if settings.database_url == DEFAULT_DATABASE
                    else settings.database_url)
    sandboxed = settings.model_copy(update={
        "bot_token": SecretStr(server.token),
        "api_base_url": server.bot_api_base,
        "api_file_base_url": server.file_api_base,
        "database_url": database_url,
        "webhook_url": None,
        "staff_chat_id": group["id"],
    })
    return DemoWorld(sandboxed, server, personas, group["id"])


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
