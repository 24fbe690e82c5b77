"""Times as people read them: stored in UTC, shown in the bureau's zone and the reader's
language (Babel's CLDR patterns, so "2026年12月5日星期六" and "Saturday, December 5, 2026")."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from storage.repositories.trainings import CourseInfo, SessionInfo


def local_day(moment: datetime | date, zone: ZoneInfo, locale: str) -> str:
    day = moment.astimezone(zone).date() if isinstance(moment, datetime) else moment
    return format_date(day, format="full", locale=locale)


def local_time(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    return f"{local_day(moment, zone, locale)} {moment.astimezone(zone):%H:%M}"


def session_when(session: SessionInfo, zone: ZoneInfo, locale: str) -> str:
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    if start.date() == end.date():
        return f"{local_day(start, zone, locale)} {start:%H:%M}–{end:%H:%M}"
    return f"{local_time(start, zone, locale)} – {local_time(end, zone, locale)}"


def sessions_view(course: CourseInfo, zone: ZoneInfo, locale: str) -> list[dict]:
    """What templates show of each session: its number, local time and place."""
    return [{"position": s.position, "when": session_when(s, zone, locale), "place": s.place}
            for s in course.sessions]
