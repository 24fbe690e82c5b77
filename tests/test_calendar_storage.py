"""The working calendar kept in the database (SQLite and PostgreSQL): the bureau's entered
notice over the package over Monday to Friday, a year replaced whole, console edits, the
roster following an entered 2027, and the yearly reminder recorded once."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.settings import SUPPORTED_LOCALES
from services.hotline.calendar import ENTERED, FALLBACK, PACKAGE
from services.hotline.calendar_days import HOLIDAY, MAKEUP, describe_day
from services.hotline.calendar_file import CalendarFileError
from services.hotline.calendar_service import CalendarEditError, CalendarService
from services.hotline.experts import ExpertService
from services.hotline.roster import RosterService
from services.people import PeopleService
from services.refusals import Refused
from services.texts import Texts
from storage.db import Database
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.users import UserRepository
from storage.repositories.working_calendar import WorkingCalendarRepository

# Made-up dates for a year the package does not know: tests never ship official data.
NOTICE_2031 = """date,kind,name
2031-01-01,holiday,元旦
2031-01-25,holiday,春节
2031-01-26,holiday,春节
2031-01-27,holiday,春节
2031-01-28,holiday,春节
2031-02-08,workday,春节调休
"""
ROSTER = "telegram_id,categories,days,start,end\n"


def calendars(database: Database) -> CalendarService:
    return CalendarService(WorkingCalendarRepository(database))


async def test_the_entered_notice_comes_before_the_package_and_the_fallback(
        database: Database) -> None:
    service = calendars(database)
    saturday, tuesday = date(2031, 2, 8), date(2031, 1, 28)
    before = await service.calendar(date(2031, 1, 1), date(2031, 12, 31))
    assert before.source(tuesday) == FALLBACK and before.is_workday(tuesday)
    assert not before.is_workday(saturday)
    assert (await service.year(2031)).source == FALLBACK

    result = await service.import_notice(NOTICE_2031, "notice-2031.csv")
    assert (result.year, result.holidays, result.workdays, result.replaced) == (2031, 5, 1, 0)
    after = await service.calendar(date(2031, 1, 1), date(2031, 12, 31))
    assert after.source(tuesday) == ENTERED and not after.is_workday(tuesday)
    assert after.is_workday(saturday)  # the make-up Saturday is worked
    ordinary = date(2031, 3, 4)  # a day the notice does not name: as the weekday says
    assert after.source(ordinary) == ENTERED and after.is_workday(ordinary)
    assert not after.is_workday(date(2031, 3, 8))
    described = describe_day(after, saturday)
    assert (described.kind, described.name, described.origin) == (
        MAKEUP, "春节调休", "notice-2031.csv")

    # A year the package knows stays the package's until the bureau enters it...
    national_day = date(2026, 10, 1)
    known = await service.calendar(national_day, national_day)
    assert known.source(national_day) == PACKAGE and not known.is_workday(national_day)
    # ...and then the entered notice wins, even where it disagrees with the package.
    await service.import_notice("date,kind,name\n2026-05-01,holiday,劳动节\n", "fix.csv")
    entered = await service.calendar(national_day, national_day)
    assert entered.source(national_day) == ENTERED and entered.is_workday(national_day)


async def test_a_years_file_replaces_that_year_whole_and_only_it(database: Database) -> None:
    service = calendars(database)
    await service.import_notice(NOTICE_2031, "first.csv")
    await service.import_notice("date,kind,name\n2032-01-01,holiday,元旦\n", "2032.csv")
    second = await service.import_notice(
        "date,kind,name\n2030-12-28,workday,元旦调休\n2031-01-01,holiday,元旦\n", "second.csv")
    assert second.replaced == 6
    year = await service.year(2031)
    assert [(d.day, d.kind, d.origin) for d in year.days] == [
        (date(2030, 12, 28), MAKEUP, "second.csv"), (date(2031, 1, 1), HOLIDAY, "second.csv")]
    assert [d.day for d in (await service.year(2032)).days] == [date(2032, 1, 1)]
    # A refused file changes nothing.
    with pytest.raises(CalendarFileError, match="line 3: kind 'off'"):
        await service.import_notice("date,kind,name\n2031-05-01,holiday,劳动节\n"
                                    "2031-05-02,off,劳动节\n", "bad.csv")
    assert len((await service.year(2031)).days) == 2
    # The make-up day of the December before belongs to 2031's notice, and goes from it
    # (whichever year's page it was removed on).
    unknown_2030 = await service.year(2030)
    assert unknown_2030.source == FALLBACK
    assert [(d.day, d.source) for d in unknown_2030.days] == [(date(2030, 12, 28), ENTERED)]
    assert (await service.remove_day(date(2030, 12, 28))).kind == MAKEUP
    assert [d.day for d in (await service.year(2031)).days] == [date(2031, 1, 1)]
    assert await service.remove_day(date(2030, 12, 28)) is None


async def test_console_edits_keep_the_rest_of_the_year(database: Database) -> None:
    service = calendars(database)
    # 2026 is the package's: changing one day copies the package's year first.
    package_days = {d.day for d in (await service.year(2026)).days}
    assert date(2026, 10, 1) in package_days and (await service.year(2026)).source == PACKAGE
    await service.set_day(date(2026, 12, 31), "holiday", "除夕加假")
    year = await service.year(2026)
    assert year.source == ENTERED
    assert {d.day for d in year.days} == package_days | {date(2026, 12, 31)}
    national = next(d for d in year.days if d.day == date(2026, 10, 1))
    assert national.name == "国庆节" and national.origin.startswith("chinese-calendar ")
    removed = await service.remove_day(date(2026, 10, 1))
    assert removed is not None and removed.kind == HOLIDAY
    assert await service.remove_day(date(2026, 10, 1)) is None
    calendar = await service.calendar(date(2026, 10, 1), date(2026, 10, 1))
    assert calendar.is_workday(date(2026, 10, 1))  # a Thursday, now an ordinary one
    with pytest.raises(CalendarEditError) as refused:
        await service.set_day(date(2031, 2, 12), "workday", "调休")
    assert refused.value.key == "workday_weekday"
    with pytest.raises(CalendarEditError):
        await service.set_day(date(2031, 2, 12), "holiday", "")
    # Removing an unknown year's only day leaves it unknown again.
    await service.set_day(date(2031, 1, 1), "holiday", "元旦")
    assert (await service.year(2031)).source == ENTERED
    await service.remove_day(date(2031, 1, 1))
    assert (await service.year(2031)).source == FALLBACK


async def test_the_roster_follows_an_entered_2027(database: Database) -> None:
    """After the import, an expert on `workdays` is on duty on the make-up Saturday and not
    on the holiday; before it, the other way round (the Monday to Friday fallback)."""
    people = PeopleService(UserRepository(database), "zh_CN", ())
    repository = RosterRepository(database)
    experts = ExpertService(repository, people, Texts(SUPPORTED_LOCALES, "zh_CN"))
    await experts.seed_categories_if_empty()
    await experts.add(1, "王伟", ["legal"])
    service = calendars(database)
    roster = RosterService(repository, "Asia/Shanghai", service)
    await roster.import_file(ROSTER + "1,legal,workdays,09:00,17:00\n")
    zone = roster.zone
    holiday = datetime(2027, 2, 8, 10, 0, tzinfo=zone)  # a Monday
    makeup_saturday = datetime(2027, 2, 20, 10, 0, tzinfo=zone)
    assert await roster.on_duty("legal", holiday) == [1]
    assert await roster.on_duty("legal", makeup_saturday) == []

    await service.import_notice("date,kind,name\n" + "".join(
        f"2027-02-{day:02d},holiday,春节\n" for day in range(6, 14)) +
        "2027-02-20,workday,春节调休\n", "holidays-2027.csv")
    assert await roster.on_duty("legal", holiday) == []
    assert await roster.on_duty("legal", makeup_saturday) == [1]
    # Asked during the holiday, the next shift is the Monday after it.
    assert await roster.next_shift_start("legal", holiday) == datetime(
        2027, 2, 15, 9, 0, tzinfo=zone)
    duties = await roster.shifts_of(1, date(2027, 2, 13), 8)
    assert [day for day, _ in duties] == [date(2027, 2, 15), date(2027, 2, 16),
                                          date(2027, 2, 17), date(2027, 2, 18),
                                          date(2027, 2, 19), date(2027, 2, 20)]


async def test_a_roster_file_with_only_its_header_is_refused_unless_allowed(
        database: Database) -> None:
    people = PeopleService(UserRepository(database), "zh_CN", ())
    repository = RosterRepository(database)
    experts = ExpertService(repository, people, Texts(SUPPORTED_LOCALES, "zh_CN"))
    await experts.seed_categories_if_empty()
    await experts.add(1, "王伟", ["legal"])
    roster = RosterService(repository, "Asia/Shanghai", calendars(database))
    await roster.import_file(ROSTER + "1,legal,daily,09:00,17:00\n")
    with pytest.raises(Refused, match=r"roster\.csv\.no_shifts"):
        await roster.import_file(ROSTER + "\n\n")
    assert len(await repository.shifts()) == 1
    assert await roster.import_file(ROSTER, allow_empty=True) == 0
    assert await repository.shifts() == []


async def test_the_reminder_is_due_from_december_and_recorded_once(database: Database) -> None:
    service = calendars(database)
    assert await service.unknown_next_year(date(2030, 11, 30)) is None
    assert await service.unknown_next_year(date(2030, 12, 1)) == 2031
    assert await service.unknown_next_year(date(2025, 12, 20)) is None  # 2026: the package's
    assert await service.claim_reminder(2031)
    assert not await service.claim_reminder(2031)
    await service.release_reminder(2031)  # it did not arrive: tomorrow's check tries again
    assert await service.claim_reminder(2031)
    await service.import_notice(NOTICE_2031, "notice-2031.csv")
    assert await service.unknown_next_year(date(2030, 12, 31)) is None
