"""The refusals a person meets on the training side, and the check every action on a course
starts with: the course exists and is open."""

from __future__ import annotations

from services.refusals import Refused
from storage.models import CourseStatus
from storage.repositories.trainings import CourseInfo, TrainingRepository

REFUSAL_KEYS = frozenset({
    "trainings.refused.unavailable", "trainings.refused.closed", "trainings.refused.audience",
    "trainings.refused.not_registered", "trainings.refused.check_in_closed",
    "trainings.refused.session_started",
})


class TrainingRefusal(Refused):
    """The action is not possible now; `reason` (the refusal's key) tells the person why."""

    def __init__(self, reason: str) -> None:
        assert reason in REFUSAL_KEYS, reason
        super().__init__(reason)

    @property
    def reason(self) -> str:
        return self.key


async def open_course(courses: TrainingRepository, course_id: int) -> CourseInfo:
    """The course, or a refusal when there is none or it is no longer open."""
    course = await courses.get_course(course_id)
    if course is None or course.status != CourseStatus.OPEN:
        raise TrainingRefusal("trainings.refused.unavailable")
    return course
