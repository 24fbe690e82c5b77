"""The roster (CSV, days, the Chinese working calendar, overrides) and case storage."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from bot.settings import SUPPORTED_LOCALES
from services.hotline.calendar import WorkingCalendar
from services.hotline.experts import ExpertInputError, ExpertService, surname
from services.hotline.roster import RosterService, day_matches, parse_roster_csv
from services.people import PeopleService
from services.refusals import Refused
from services.texts import Texts
from storage.db import Database
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.users import UserRepository

HEADER = "telegram_id,categories,days,start,end\n"
EXPERTS = {1: ("legal", "finance"), 2: ("finance",)}
CATEGORIES = ["legal", "finance", "policy"]
CALENDAR = WorkingCalendar()
ENGLISH = Texts(SUPPORTED_LOCALES, "en")


@pytest.mark.parametrize(("line", "reason"), [
    ("x,legal,daily,09:00,12:00",
     "Line 2: the Telegram number (telegram_id) “x” is not a number."),
    ("9,legal,daily,09:00,12:00", "Line 2: 9 is not an expert"),
    ("1,tax,daily,09:00,12:00", "Line 2: there is no category “tax”."),
    ("2,legal,daily,09:00,12:00", "Line 2: expert 2 does not answer “legal”."),
    ("1,legal,weekends,09:00,12:00", "Line 2: “weekends” is not a day"),
    ("1,legal,daily,9am,12:00", "Line 2: start “9am” is not a time like 09:00."),
    ("1,legal,daily,12:00,09:00", "Line 2: end 09:00 is not after start 12:00."),
    ("1,legal,daily,09:00", "Line 2: expected 5 columns, found 4."),
    ("1,,daily,09:00,12:00", "Line 2: categories is empty."),
])
def test_a_bad_line_rejects_the_whole_file_naming_it(line: str, reason: str) -> None:
    with pytest.raises(Refused) as refused:
        parse_roster_csv(HEADER + line + "\n", EXPERTS, CATEGORIES)
    # The refusal is a key and values; the command line shows it in English like this.
    assert ENGLISH.refusal("en", refused.value.refusal).startswith(reason)


def test_a_good_file_and_a_bad_header() -> None:
    shifts = parse_roster_csv(HEADER + "1,legal;finance,Mon-Fri,09:00,24:00\n\n"
                              "2,finance,mon;wed;fri,14:00,18:00\n", EXPERTS, CATEGORIES)
    assert [(line, s.days, s.categories) for line, s in shifts] == [
        (2, "mon-fri", ("legal", "finance")), (4, "mon;wed;fri", ("finance",))]
    with pytest.raises(Refused) as refused:
        parse_roster_csv("id,days\n1,daily\n", EXPERTS, CATEGORIES)
    assert ENGLISH.refusal("en", refused.value.refusal).startswith(
        "Line 1: the columns must be")


def test_days_follow_the_chinese_working_calendar() -> None:
    national_day, make_up_sunday, monday = date(2026, 10, 1), date(2026, 9, 20), date(2026, 11, 23)
    assert not day_matches("workdays", national_day, CALENDAR)  # a Thursday, but a holiday
    assert day_matches("workdays", make_up_sunday, CALENDAR)  # 调休: a Sunday worked
    assert day_matches("workdays", monday, CALENDAR)
    assert day_matches("mon-fri", national_day, CALENDAR)  # a plain weekday range
    assert not day_matches("mon-fri", make_up_sunday, CALENDAR)
    assert day_matches("sat-mon", date(2026, 11, 22), CALENDAR)  # ranges may wrap
    assert day_matches("daily", national_day, CALENDAR)


def test_years_beyond_the_published_calendar_fall_back_to_monday_to_friday(
        caplog: pytest.LogCaptureFixture) -> None:
    calendar = WorkingCalendar()
    far = date(2031, 1, 6)  # a Monday
    assert not calendar.known(far)
    assert calendar.is_workday(far) and not calendar.is_workday(date(2031, 1, 5))
    assert "2031 is not published" in caplog.text


def test_aliases_take_the_surname() -> None:
    assert surname("王伟") == "王" and surname("Wang Wei") == "Wang"


async def _services(database: Database) -> tuple[ExpertService, RosterService]:
    users = UserRepository(database)
    people = PeopleService(users, "zh_CN", ())
    repository = RosterRepository(database)
    experts = ExpertService(repository, people, Texts(SUPPORTED_LOCALES, "zh_CN"))
    await experts.seed_categories_if_empty()
    return experts, RosterService(repository, "Asia/Shanghai")


async def test_overrides_on_duty_and_the_next_shift(database: Database) -> None:
    experts, roster = await _services(database)
    await experts.add(1, "王伟", ["legal"])
    await experts.add(2, "李娜", ["legal"])
    with pytest.raises(ExpertInputError, match="unknown categories: tax"):
        await experts.add(3, "x", ["tax"])
    await roster.import_file(HEADER + "1,legal,workdays,09:00,12:00\n2,legal,daily,14:00,18:00\n")
    zone = roster.zone
    monday_ten = datetime(2026, 11, 23, 10, 0, tzinfo=zone)
    assert await roster.on_duty("legal", monday_ten) == [1]
    assert await roster.on_duty("finance", monday_ten) == []
    await roster.add_override(date(2026, 11, 23), 1, "off")
    await roster.add_override(date(2026, 11, 23), 2, "on", start="08:00", end="11:00")
    assert await roster.on_duty("legal", monday_ten) == [2]
    # National Day: no workdays shift, so the next one is expert 2's afternoon.
    begins = await roster.next_shift_start("legal", datetime(2026, 10, 1, 12, 0, tzinfo=zone))
    assert begins == datetime(2026, 10, 1, 14, 0, tzinfo=zone)
    await experts.set_stepped_off(2, True)
    assert await roster.on_duty("legal", monday_ten) == []
    with pytest.raises(Refused, match=r"console_ops\.roster\.error\.not_expert"):
        await roster.add_override(date(2026, 11, 23), 99, "off")
    # A bad file leaves the old plan as it was.
    with pytest.raises(Refused):
        await roster.import_file(HEADER + "1,legal,daily,09:00,12:00\n1,legal,never,1,2\n")
    assert len(await RosterRepository(database).shifts()) == 2


async def test_case_numbers_and_claims_are_atomic(database: Database) -> None:
    experts, _roster = await _services(database)
    for expert_id in (1, 2, 3):
        await experts.add(expert_id, f"E{expert_id}", ["legal"])
    cases = CaseRepository(database)
    created = await asyncio.gather(*[cases.create(1, "legal", None, 0) for _ in range(10)])
    year = created[0].created_at.year
    assert sorted(c.number for c in created) == [f"C-{year}-{n:04d}" for n in range(1, 11)]
    # The bureau's year, which the service passes: 01:30 on 1 January in Shanghai is
    # still the old year in UTC, and must not carry on the old year's numbers.
    new_year = await cases.create(1, "legal", None, 0, year=year + 1)
    assert new_year.number == f"C-{year + 1}-0001"
    target = created[0].id
    results = await asyncio.gather(*[cases.changes.claim(target, expert) for expert in (1, 2, 3)])
    assert sorted(results) == [False, False, True]
    assert (await cases.get(target)).expert_id == [1, 2, 3][results.index(True)]
