"""The web console's course list (every course, cancelled and past ones too) and the form
that creates a course, checked field by field with the rules of the dialog and course files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.trainings.courses import (
    AUDIENCES,
    DESCRIPTION_MAX,
    KINDS,
    TITLE_MAX,
    CourseInputError,
    CoursePlan,
    clean_capacity,
    clean_choice,
    clean_text,
    parse_datetime,
    parse_session_lines,
    plan_from_answers,
)
from storage.repositories.training_board import TrainingBoardRepository
from storage.repositories.trainings import CourseInfo

PAGE_SIZE = 20
FORM_FIELDS = ("title", "kind", "description", "sessions", "capacity", "deadline", "audience")


@dataclass(frozen=True, slots=True)
class CoursePage:
    courses: list[CourseInfo]
    number: int  # 1-based
    pages: int
    total: int


@dataclass(slots=True)
class CourseForm:
    plan: CoursePlan | None
    errors: dict[str, CourseInputError]  # field -> the first refusal naming it


class TrainingBoard:
    def __init__(self, repository: TrainingBoardRepository) -> None:
        self._repo = repository

    async def courses(self, status: str | None, number: int = 1) -> CoursePage:
        number = max(1, number)
        courses, total = await self._repo.all_courses(status, (number - 1) * PAGE_SIZE,
                                                      PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if number > pages:
            return await self.courses(status, pages)
        return CoursePage(courses, number, pages, total)


def local_input(raw: str) -> str:
    """<input type="datetime-local"> sends 2026-12-01T18:00; the dialog reads a space."""
    return raw.strip().replace("T", " ", 1)


def check_course_form(values: Mapping[str, str], zone: ZoneInfo, now: datetime) -> CourseForm:
    """Every field checked (so each refusal can stand beside its field), then the whole plan
    as the dialog checks it at its last step (nothing in the past, deadline before start)."""
    errors: dict[str, CourseInputError] = {}

    def check(name: str, rule: Callable[[], Any]) -> None:
        try:
            rule()
        except CourseInputError as error:
            errors.setdefault(error.field if error.field in FORM_FIELDS else name, error)

    answers = {name: str(values.get(name) or "") for name in FORM_FIELDS}
    answers["deadline"] = local_input(answers["deadline"])
    check("title", lambda: clean_text("title", answers["title"], TITLE_MAX))
    check("kind", lambda: clean_choice("kind", answers["kind"], KINDS))
    check("description", lambda: clean_text("description", answers["description"],
                                             DESCRIPTION_MAX, required=False))
    check("sessions", lambda: _sessions_ahead(answers["sessions"], zone, now))
    check("capacity", lambda: clean_capacity(answers["capacity"]))
    check("deadline", lambda: _deadline_ahead(answers["deadline"], zone, now))
    check("audience", lambda: clean_choice("audience", answers["audience"], AUDIENCES))
    if errors:
        return CourseForm(None, errors)
    try:
        return CourseForm(plan_from_answers(answers, zone, now), {})
    except CourseInputError as error:
        return CourseForm(None, {error.field: error})



def _sessions_ahead(raw: str, zone: ZoneInfo, now: datetime) -> None:
    """As the dialog checks the sessions step: well-formed, and none in the past."""
    if any(session.starts_at <= now for session in parse_session_lines(raw, zone)):
        raise CourseInputError("sessions", "trainings.error.in_past")


def _deadline_ahead(raw: str, zone: ZoneInfo, now: datetime) -> None:
    if parse_datetime("deadline", raw, zone) <= now:
        raise CourseInputError("deadline", "trainings.error.in_past")
