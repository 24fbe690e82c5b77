"""The yearly reminder to enter next year's working calendar.

From 1 December on, a next year that neither the bureau entered nor the package knows would
put the roster on Monday to Friday on 1 January (Spring Festival as working days). The staff
group is told once a year: the reminder is recorded before it is sent, so two checks cannot
both send it, and given back when it did not arrive, so tomorrow's check tries again. The
console shows the same warning for as long as the year stays unknown.
"""

from __future__ import annotations

import logging
from datetime import date

from services.hotline.calendar_service import CalendarService
from services.hotline.messenger import CaseMessenger

log = logging.getLogger(__name__)

REMINDER_KEY = "hotline.calendar.reminder"


async def remind_unknown_year(calendars: CalendarService, messenger: CaseMessenger,
                              staff_chat_id: int | None, today: date) -> int | None:
    """Reminds the staff group that next year is unknown; the year reminded about, if any."""
    year = await calendars.unknown_next_year(today)
    if year is None:
        return None
    if staff_chat_id is None:
        log.warning("the working calendar for %s is not entered yet and there is no staff "
                    "group to remind (HOTLINE_STAFF_CHAT_ID); the console shows it", year)
        return None
    if not await calendars.claim_reminder(year):
        return None
    delivery = await messenger.notify(staff_chat_id, REMINDER_KEY, year=year,
                                      first=f"{year}-01-01")
    if not delivery.ok:
        await calendars.release_reminder(year)
        log.warning("the reminder to enter the %s working calendar did not arrive (%s); "
                    "the next daily check tries again", year, delivery.failure)
        return None
    log.info("reminded the staff group to enter the %s working calendar", year)
    return year
