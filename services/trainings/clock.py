"""The one source of "now" for trainings, shared by the service and the reminder dispatcher.

Tests freeze and move it to check reminders at the right moments without waiting hours; the
scheduler keeps waking the dispatcher in real time, and the dispatcher asks this clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import utcnow


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else utcnow()

    def freeze(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen time must be timezone-aware")
        self._frozen = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._frozen = self.now() + delta
