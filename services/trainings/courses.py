"""What a course is made of, and the checks every new or changed course passes.

The same checks serve the staff dialog, the edit commands and `hotline trainings add`, so a
course file and a chat produce the same refusals, each naming the field it concerns.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from services.refusals import Refused
from services.texts import Texts

# Stable keys; the labels are in the catalogues (trainings.kind.<key>, trainings.audience.<key>).
KINDS = ("exam_prep", "project_management", "financial_management", "archive_management",
         "social_work_methods", "supervision", "other")
AUDIENCES = ("everyone", "social_workers", "organisations")
FIELDS = ("title", "kind", "description", "sessions", "capacity", "deadline", "audience")

TITLE_MAX = 128
DESCRIPTION_MAX = 1000
PLACE_MAX = 256
SESSIONS_MAX = 20
CAPACITY_MAX = 1000

# "2026-12-05 09:00-12:00 Room 301": one session per line in the staff dialog.
_SESSION_LINE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})\s+(\d{1,2}:\d{2})\s*[-–~～至]\s*(\d{1,2}:\d{2})\s+(.+)$")
_DATETIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s+(\d{1,2}:\d{2})$")

# Text keys the refusals use (built here, shown by the handlers and the CLI).
ERROR_KEYS = frozenset({
    "trainings.error.empty", "trainings.error.too_long", "trainings.error.unknown_choice",
    "trainings.error.not_a_number", "trainings.error.out_of_range",
    "trainings.error.bad_session_line", "trainings.error.ends_before_start",
    "trainings.error.in_past", "trainings.error.deadline_after_start",
    "trainings.error.capacity_below_registered", "trainings.error.too_many_sessions",
    "trainings.error.bad_datetime", "trainings.error.malformed_file",
    "trainings.error.missing",
})


class CourseInputError(Refused, ValueError):
    """A refusal: `field` names what is wrong (a FIELDS key), `reason` (the key) its text.

    The text's %(field)s is the field's label in the reader's language: see field_refusal."""

    def __init__(self, field: str, reason: str, **values: Any) -> None:
        super().__init__(reason, field, **values)

    @property
    def reason(self) -> str:
        return self.key

    def __str__(self) -> str:
        return f"{self.field}: {self.key} {dict(self.values)}"


def field_refusal(texts: Texts, locale: str | None, error: CourseInputError) -> str:
    """The refusal as the bot, the console and the CLI word it: naming the field."""
    return texts.text(locale, error.key, field=texts.text(locale, f"trainings.field.{error.field}"),
                      **error.values)


@dataclass(frozen=True, slots=True)
class SessionPlan:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    place: str


@dataclass(frozen=True, slots=True)
class CoursePlan:
    """A whole, checked course, ready to be stored in one transaction."""

    title: str
    kind: str
    description: str
    sessions: tuple[SessionPlan, ...]
    capacity: int
    registration_deadline: datetime  # UTC
    audience: str


def clean_text(field: str, raw: object, limit: int, *, required: bool = True) -> str:
    if raw is not None and not isinstance(raw, str):
        raise CourseInputError(field, "trainings.error.empty")
    value = " ".join((raw or "").split()) if field != "description" else (raw or "").strip()
    if required and not value:
        raise CourseInputError(field, "trainings.error.empty")
    if len(value) > limit:
        raise CourseInputError(field, "trainings.error.too_long", limit=limit)
    return value


def clean_choice(field: str, raw: object, choices: tuple[str, ...]) -> str:
    """Accepts the key ("exam_prep") or its number in the list shown (1-based)."""
    value = str(raw or "").strip()
    if value.isdigit() and 1 <= int(value) <= len(choices):
        return choices[int(value) - 1]
    if value in choices:
        return value
    raise CourseInputError(field, "trainings.error.unknown_choice")


def clean_capacity(raw: object, registered: int = 0) -> int:
    value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if value is None:
        text = str(raw or "").strip()
        if not text.isdigit():
            raise CourseInputError("capacity", "trainings.error.not_a_number")
        value = int(text)
    if not 1 <= value <= CAPACITY_MAX:
        raise CourseInputError("capacity", "trainings.error.out_of_range", low=1,
                               high=CAPACITY_MAX)
    if value < registered:
        raise CourseInputError("capacity", "trainings.error.capacity_below_registered",
                               count=registered)
    return value


def _local(day: str, clock: str, zone: ZoneInfo, field: str) -> datetime:
    try:
        moment = datetime.combine(date.fromisoformat(_pad_date(day)), time.fromisoformat(
            clock.zfill(5)))
    except ValueError:
        raise CourseInputError(field, "trainings.error.bad_datetime") from None
    return to_utc(moment, zone)


def _pad_date(day: str) -> str:
    year, month, dom = day.split("-")
    return f"{year}-{int(month):02d}-{int(dom):02d}"


def to_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the bureau's zone (or an aware time) as UTC; zoneinfo does DST."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    return aware.astimezone(ZoneInfo("UTC"))


def parse_datetime(field: str, raw: object, zone: ZoneInfo) -> datetime:
    """"2026-12-01 18:00" (local) or a TOML datetime → UTC."""
    if isinstance(raw, datetime):
        return to_utc(raw, zone)
    match = _DATETIME.match(str(raw or "").strip())
    if match is None:
        raise CourseInputError(field, "trainings.error.bad_datetime")
    return _local(match.group(1), match.group(2), zone, field)


def parse_session_lines(raw: str, zone: ZoneInfo) -> tuple[SessionPlan, ...]:
    lines = [line.strip() for line in (raw or "").splitlines() if line.strip()]
    if not lines:
        raise CourseInputError("sessions", "trainings.error.empty")
    if len(lines) > SESSIONS_MAX:
        raise CourseInputError("sessions", "trainings.error.too_many_sessions",
                               limit=SESSIONS_MAX)
    sessions = []
    for number, line in enumerate(lines, start=1):
        match = _SESSION_LINE.match(line)
        if match is None:
            raise CourseInputError("sessions", "trainings.error.bad_session_line", line=number)
        day, start, end, place = match.groups()
        sessions.append(_session(number, _local(day, start, zone, "sessions"),
                                 _local(day, end, zone, "sessions"), place))
    return tuple(sessions)


def _session(number: int, starts_at: datetime, ends_at: datetime, place: object) -> SessionPlan:
    if ends_at <= starts_at:
        raise CourseInputError("sessions", "trainings.error.ends_before_start", line=number)
    return SessionPlan(starts_at, ends_at, clean_text("sessions", place, PLACE_MAX))


def check_schedule(sessions: tuple[SessionPlan, ...], deadline: datetime,
                   now: datetime) -> None:
    """Nothing in the past, and registration closes before the course begins."""
    if any(session.starts_at <= now for session in sessions):
        raise CourseInputError("sessions", "trainings.error.in_past")
    if deadline <= now:
        raise CourseInputError("deadline", "trainings.error.in_past")
    if deadline > min(session.starts_at for session in sessions):
        raise CourseInputError("deadline", "trainings.error.deadline_after_start")


def plan_from_answers(answers: dict[str, Any], zone: ZoneInfo, now: datetime) -> CoursePlan:
    """The staff dialog's answers (each checked when given) checked again as a whole."""
    sessions = parse_session_lines(answers["sessions"], zone)
    deadline = parse_datetime("deadline", answers["deadline"], zone)
    check_schedule(sessions, deadline, now)
    return CoursePlan(
        title=clean_text("title", answers["title"], TITLE_MAX),
        kind=clean_choice("kind", answers["kind"], KINDS),
        description=clean_text("description", answers.get("description", ""),
                               DESCRIPTION_MAX, required=False),
        sessions=sessions,
        capacity=clean_capacity(answers["capacity"]),
        registration_deadline=deadline,
        audience=clean_choice("audience", answers["audience"], AUDIENCES),
    )


def plan_from_toml(text: str, zone: ZoneInfo, now: datetime) -> CoursePlan:
    """A course file (see docs/trainings.md); every field checked as in the dialog."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CourseInputError("file", "trainings.error.malformed_file",
                               detail=str(exc)) from None
    for key in ("title", "kind", "capacity", "registration_deadline", "audience", "sessions"):
        if key not in data:
            field = "deadline" if key == "registration_deadline" else key
            raise CourseInputError(field, "trainings.error.missing")
    raw_sessions = data["sessions"]
    if not isinstance(raw_sessions, list) or not raw_sessions:
        raise CourseInputError("sessions", "trainings.error.empty")
    if len(raw_sessions) > SESSIONS_MAX:
        raise CourseInputError("sessions", "trainings.error.too_many_sessions",
                               limit=SESSIONS_MAX)
    sessions = []
    for number, raw in enumerate(raw_sessions, start=1):
        if not isinstance(raw, dict) or not {"start", "end", "place"} <= raw.keys():
            raise CourseInputError("sessions", "trainings.error.bad_session_line", line=number)
        sessions.append(_session(number, parse_datetime("sessions", raw["start"], zone),
                                 parse_datetime("sessions", raw["end"], zone), raw["place"]))
    deadline = parse_datetime("deadline", data["registration_deadline"], zone)
    plan = CoursePlan(
        title=clean_text("title", data["title"], TITLE_MAX),
        kind=clean_choice("kind", data["kind"], KINDS),
        description=clean_text("description", data.get("description", ""), DESCRIPTION_MAX,
                               required=False),
        sessions=tuple(sessions),
        capacity=clean_capacity(data["capacity"]),
        registration_deadline=deadline,
        audience=clean_choice("audience", data["audience"], AUDIENCES),
    )
    check_schedule(plan.sessions, plan.registration_deadline, now)
    return plan
