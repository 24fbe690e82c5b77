"""The .ics file sent on registration: one event per session, in the bureau's time zone.

icalendar writes the VTIMEZONE from zoneinfo, so calendars apply the zone's own rules
(Asia/Shanghai has no daylight saving today, but nothing here assumes that).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from storage.repositories.trainings import CourseInfo

PRODID = "-//Community Hotline//Trainings//EN"


def course_calendar(course: CourseInfo, zone: ZoneInfo, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", course.title)
    total = len(course.sessions)
    for session in course.sessions:
        event = Event()
        event.add("uid", f"training-{course.id}-session-{session.id}@community-hotline")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        summary = course.title if total == 1 else f"{course.title} ({session.position}/{total})"
        event.add("summary", summary)
        event.add("location", session.place)
        if course.description:
            event.add("description", course.description)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_filename(course: CourseInfo) -> str:
    return f"training-{course.id}.ics"
