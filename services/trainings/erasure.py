"""A person's part of the trainings under /forget: places given back exactly as the
"Cancel registration" button gives them back (the first on the waitlist is promoted and owed
a notice in the same transaction), and what was queued for them dropped.

Registrations of courses already over stay: they carry the attendance the bureau counts, and
the person's name leaves with their user row.
"""

from __future__ import annotations

from services.trainings.service import TrainingRefusal, TrainingService


async def give_back_places(trainings: TrainingService, telegram_id: int) -> int:
    """Cancels the person's places and waitlist places on courses not yet over; returns how
    many. The promoted people are told as after the button (TrainingService.cancel)."""
    given_back = 0
    for course, _status, _position in await trainings.my_courses(telegram_id):
        try:
            change = await trainings.cancel(course.id, telegram_id)
        except TrainingRefusal:  # cancelled by staff in the meantime: nothing to give back
            continue
        given_back += change.previous is not None
    return given_back


async def drop_queued(trainings: TrainingService, telegram_id: int) -> int:
    """Drops the reminders and notices not yet sent to the person; returns how many."""
    return (await trainings.reminders.erase_pending_for(telegram_id)
            + await trainings.notices.erase_pending_for(telegram_id))
