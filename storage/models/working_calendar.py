"""The working calendar the bureau entered itself: the State Council's yearly notice of
public holidays and make-up working days (调休), for years the `chinese-calendar` package
does not know yet (or where the bureau corrects it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class WorkingCalendarDay(SQLModel, table=True):
    """One holiday or make-up working day of a notice; the notice's year is replaced whole."""

    __tablename__ = "working_calendar_days"

    day: date = Field(primary_key=True)
    # The notice the day belongs to: a notice may name a make-up day in the December before.
    notice_year: int = Field(index=True)
    kind: str = Field(max_length=8)  # holiday, workday
    name: str = Field(max_length=64)
    # Where it came from ("holidays-2027.csv", "console", "chinese-calendar 1.11.0"). Who
    # entered it is in the audit log, not here: no personal data to erase in this table.
    origin: str = Field(max_length=128)
    entered_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class WorkingCalendarReminder(SQLModel, table=True):
    """That staff were reminded to enter a year, so the daily check reminds them once."""

    __tablename__ = "working_calendar_reminders"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    sent_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
