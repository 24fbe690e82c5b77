"""Working time (issue 15 item 1): only the roster's hours for the category on the Chinese
working calendar count. Figures below are worked out by hand from the State Council's
notices for 2026 as the chinese-calendar package carries them (Labour Day: 1–5 May off,
Saturday 9 May worked; National Day: 1–7 October off, Saturday 10 October worked)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.hotline.calendar import WorkingCalendar
from services.hotline.working_time import clock_starts, merged, working_seconds
from storage.repositories.working_calendar import EnteredDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar()  # the package's 2026 notice


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def nine_to_five(day: date) -> list[tuple[int, int]]:
    """A roster covering the category 09:00–17:00 every day: the calendar decides."""
    return [(9 * 60, 17 * 60)]


def minutes(start: datetime, end: datetime, hours=nine_to_five,
            calendar: WorkingCalendar = CALENDAR) -> float:
    return working_seconds(start, end, hours, calendar, SHANGHAI) / 60


def test_a_question_on_the_eve_of_labour_day_counts_only_working_hours() -> None:
    asked = local(2026, 4, 30, 16, 0)  # Thursday, the eve of the holiday
    claimed = local(2026, 5, 6, 9, 30)  # Wednesday, the first working day after it
    answered = local(2026, 5, 9, 9, 15)  # the make-up Saturday
    closed = local(2026, 5, 9, 11, 0)
    # 30 April 16:00–17:00 = 60; 1–5 May holidays = 0; 6 May 09:00–09:30 = 30.
    assert minutes(asked, claimed) == 90
    # 6 May 09:30–17:00 = 450; 7 and 8 May 480 each; Saturday 9 May 09:00–09:15 = 15.
    assert minutes(claimed, answered) == 450 + 480 + 480 + 15
    # 60 + 6, 7, 8 May 3 × 480 + the make-up Saturday 09:00–11:00 = 120.
    assert minutes(asked, closed) == 60 + 3 * 480 + 120
    # Wall-clock time for comparison: more than nine days.
    assert (closed - asked).total_seconds() / 60 == 9 * 24 * 60 - 5 * 60


def test_national_day_eve_and_the_make_up_saturday_after_it() -> None:
    asked = local(2026, 9, 30, 16, 30)  # Wednesday, eve of National Day
    # 30 Sep 16:30–17:00 = 30; 1–7 Oct off; Thu 8 Oct 09:00–09:10 = 10.
    assert minutes(asked, local(2026, 10, 8, 9, 10)) == 40
    # Claimed on the make-up Saturday 10 October at 10:00: 30 + 480 (8th) + 480 (9th) + 60.
    assert minutes(asked, local(2026, 10, 10, 10, 0)) == 30 + 480 + 480 + 60
    # Sunday 11 October is an ordinary day off again.
    assert minutes(local(2026, 10, 11, 9, 0), local(2026, 10, 11, 17, 0)) == 0
    assert clock_starts(asked, nine_to_five, CALENDAR, SHANGHAI) == asked
    assert clock_starts(local(2026, 9, 30, 18, 0), nine_to_five, CALENDAR,
                        SHANGHAI) == local(2026, 10, 8, 9, 0)
    assert clock_starts(local(2026, 10, 9, 20, 0), nine_to_five, CALENDAR,
                        SHANGHAI) == local(2026, 10, 10, 9, 0)  # the make-up Saturday


def test_saturday_night_starts_the_clock_on_monday_at_nine() -> None:
    saturday_night = local(2026, 6, 13, 22, 0)
    assert clock_starts(saturday_night, nine_to_five, CALENDAR,
                        SHANGHAI) == local(2026, 6, 15, 9, 0)
    # Claimed Monday 09:20: twenty working minutes, 35 h 20 min on the wall clock.
    assert minutes(saturday_night, local(2026, 6, 15, 9, 20)) == 20


def test_only_the_category_s_own_hours_count() -> None:
    def split_shifts(day: date) -> list[tuple[int, int]]:
        # Two experts' shifts that overlap (09:00–12:00, 11:00–13:00) and one after a gap.
        return [(9 * 60, 12 * 60), (11 * 60, 13 * 60), (14 * 60, 24 * 60)]

    assert merged(split_shifts(date(2026, 6, 15))) == [(540, 780), (840, 1440)]
    # Monday 12:30 to Tuesday 09:30: 12:30–13:00 = 30, 14:00–24:00 = 600, then 09:00–09:30.
    assert minutes(local(2026, 6, 15, 12, 30), local(2026, 6, 16, 9, 30),
                   split_shifts) == 30 + 600 + 30
    assert minutes(local(2026, 6, 15, 10, 0), local(2026, 6, 15, 9, 0)) == 0  # end first
    assert minutes(local(2026, 6, 15, 10, 0), local(2026, 6, 15, 11, 0),
                   lambda day: []) == 0  # nobody on the roster for it


def test_a_calendar_the_bureau_entered_itself_decides() -> None:
    # A controlled calendar: 2027 entered by hand, Friday 1 Oct a holiday, Saturday 9 Oct
    # a make-up working day.
    calendar = WorkingCalendar([EnteredDay(date(2027, 10, 1), "holiday", "国庆节", 2027),
                                EnteredDay(date(2027, 10, 9), "workday", "国庆节调休", 2027)],
                               entered_years=[2027])
    asked = local(2027, 9, 30, 16, 0)
    # 30 Sep 16:00–17:00 = 60; Fri 1 Oct off; weekend off; Mon 4 – Fri 8 Oct 5 × 480;
    # Saturday 9 Oct 09:00–10:00 = 60.
    assert minutes(asked, local(2027, 10, 9, 10, 0), calendar=calendar) == 60 + 5 * 480 + 60


def test_naive_utc_times_from_sqlite_are_read_as_utc() -> None:
    start = datetime(2026, 6, 15, 1, 0)  # 09:00 in Shanghai, as SQLite gives it back
    assert minutes(start, datetime(2026, 6, 15, 2, 0)) == 60
