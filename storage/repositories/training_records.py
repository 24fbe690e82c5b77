"""What the training repositories hand back and take: courses with their sessions and
counts, a new course, the outcome of a registration, a registrant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    place: str


@dataclass(frozen=True, slots=True)
class CourseInfo:
    id: int
    title: str
    kind: str
    description: str
    capacity: int
    registration_deadline: datetime
    audience: str
    status: str
    sessions: tuple[SessionInfo, ...]
    registered: int
    waitlisted: int

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.registered)

    @property
    def starts_at(self) -> datetime:
        return self.sessions[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return max(session.ends_at for session in self.sessions)


@dataclass(frozen=True, slots=True)
class NewCourse:
    title: str
    kind: str
    description: str
    capacity: int
    registration_deadline: datetime
    audience: str
    sessions: tuple[tuple[datetime, datetime, str], ...]
    created_by: int | None


@dataclass(frozen=True, slots=True)
class PlaceChange:
    """What a registration or cancellation did: the person's status, and who moved up."""

    status: str | None
    previous: str | None
    waitlist_position: int = 0
    promoted: int | None = None


@dataclass(frozen=True, slots=True)
class Registrant:
    telegram_id: int
    name: str
    username: str | None
    status: str
    requested_at: datetime
    attended_sessions: tuple[int, ...]
    # Positions of the sessions the person said they cannot come to.
    absent_sessions: tuple[int, ...] = ()

