"""Trainings: courses, their sessions, registrations (with the waitlist), attendance and the
reminders that are due (one row per reminder and recipient, so a restart loses nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class CourseStatus:
    OPEN = "open"
    CANCELLED = "cancelled"


class RegistrationStatus:
    """A place is held (registered), wanted (waitlisted), or given back (cancelled)."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class ReminderState:
    """pending → claimed (one dispatcher owns it) → sent | dropped | failed."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    DROPPED = "dropped"
    FAILED = "failed"


def _course_column() -> Column:
    return Column(Integer, ForeignKey("training_courses.id", ondelete="CASCADE"),
                  nullable=False, index=True)


def _person_column() -> Column:
    return Column(BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"),
                  nullable=False)


class Course(SQLModel, table=True):
    __tablename__ = "training_courses"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=128)
    kind: str = Field(max_length=32)
    description: str = Field(default="", max_length=1000)
    capacity: int
    registration_deadline: datetime = Field(sa_column=utc_column())
    audience: str = Field(max_length=32)
    status: str = Field(default=CourseStatus.OPEN, max_length=16)
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CourseSession(SQLModel, table=True):
    __tablename__ = "training_sessions"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(sa_column=_course_column())
    position: int
    starts_at: datetime = Field(sa_column=utc_column())
    ends_at: datetime = Field(sa_column=utc_column())
    # A room and address, or an online meeting link; shown as text, never as markup.
    place: str = Field(max_length=256)


class Registration(SQLModel, table=True):
    __tablename__ = "training_registrations"
    __table_args__ = (
        UniqueConstraint("course_id", "telegram_id", name="uq_training_registrations_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(sa_column=_course_column())
    telegram_id: int = Field(sa_column=_person_column())
    status: str = Field(max_length=16)
    # The waitlist order: when the person (last) asked for a place.
    requested_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Attendance(SQLModel, table=True):
    __tablename__ = "training_attendance"

    session_id: int = Field(sa_column=Column(
        Integer, ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False))
    telegram_id: int = Field(sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False))
    # None: the person checked in with the button; otherwise the staff member who marked it.
    marked_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    checked_in_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Absence(SQLModel, table=True):
    """A registrant's notice that they cannot come to one session ("I can't come" on its
    reminder): they keep their place on the course, that session's reminders stop."""

    __tablename__ = "training_absences"

    session_id: int = Field(sa_column=Column(
        Integer, ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False))
    telegram_id: int = Field(sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False))
    noted_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class TrainingReminder(SQLModel, table=True):
    """One reminder for one person; the dispatcher claims due rows with a single UPDATE."""

    __tablename__ = "training_reminders"
    __table_args__ = (
        UniqueConstraint("course_id", "telegram_id", "target", "offset_label",
                         name="uq_training_reminders_once"),
        Index("ix_training_reminders_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(sa_column=_course_column())
    telegram_id: int = Field(sa_column=_person_column())
    # "s<session id>" for a session, "exam" for the national exam.
    target: str = Field(max_length=32)
    session_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=True))
    offset_label: str = Field(max_length=16)
    due_at: datetime = Field(sa_column=utc_column())
    # The start of what it reminds of: a reminder not sent by then is dropped, never late.
    not_after: datetime = Field(sa_column=utc_column())
    state: str = Field(default=ReminderState.PENDING, max_length=16)
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class TrainingNotice(SQLModel, table=True):
    """A message owed to a registrant (moved up from the waitlist, a course changed or was
    cancelled): kept until sent, so a restart in the middle of telling 40 people tells the
    rest. Rendered when sent, from the course as it is then."""

    __tablename__ = "training_notices"
    __table_args__ = (Index("ix_training_notices_state", "state", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(sa_column=_course_column())
    telegram_id: int = Field(sa_column=_person_column())
    kind: str = Field(max_length=16)  # promoted, changed, cancelled
    # For "changed": what changed (a FIELDS key or "place") and which session, if one.
    field: str | None = Field(default=None, max_length=16)
    session_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=True))
    state: str = Field(default=ReminderState.PENDING, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
