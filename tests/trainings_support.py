"""Helpers the trainings tests share: a fixed clock, a course plan, people with roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.trainings.courses import CoursePlan, SessionPlan
from storage.models import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-11-23 10:00 in Shanghai: "now" in every trainings test.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def course_plan(*, title: str = "社工考试辅导班", kind: str = "exam_prep", capacity: int = 2,
                sessions: tuple[tuple[datetime, datetime, str], ...] | None = None,
                deadline: datetime | None = None, audience: str = "everyone") -> CoursePlan:
    sessions = sessions or (
        (local(2026, 12, 5, 9), local(2026, 12, 5, 12), "区民政局三楼会议室"),
        (local(2026, 12, 12, 14, 30), local(2026, 12, 12, 17), "https://meeting.example/abc"),
    )
    return CoursePlan(
        title=title, kind=kind, description="历年真题讲解",
        sessions=tuple(SessionPlan(*s) for s in sessions), capacity=capacity,
        registration_deadline=deadline or sessions[0][0] - timedelta(days=1),
        audience=audience)


async def person(sandbox: SandboxClient, hotline: Hotline, name: str, *, language: str = "en",
                 role: Role | None = None) -> dict:
    """A user who has written to the bot once (so the bot may write to them)."""
    user = await sandbox.add_user(name, language_code=language)
    # /help has exactly one reply (a first /start may add offers of other features), so
    # the next wait for "the message after mine" cannot pick up a straggler.
    await sandbox.send_text(user["id"], "/help")
    await sandbox.wait_for_bot_message(user["id"])
    if role is not None:
        await hotline.services.people.grant(user["id"], role)
    return user


def buttons(message: dict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


def events_of(ics: bytes) -> list:
    return [c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT"]
