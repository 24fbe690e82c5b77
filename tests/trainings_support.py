"""Helpers the trainings tests share: a fixed clock, a course plan, people with roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from services.trainings.courses import CoursePlan, SessionPlan

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


def events_of(ics: bytes) -> list:
    return [c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT"]
