"""The console's roster editing: the grid and back, edits, CSV in and out, overrides, the
working calendar view (services only; tests/browser/test_console_ops.py drives the pages)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.settings import SUPPORTED_LOCALES
from services.hotline.calendar import WorkingCalendar
from services.hotline.calendar_days import HOLIDAY, MAKEUP, calendar_period, describe_day
from services.hotline.experts import ExpertService
from services.hotline.roster import RosterService, parse_roster_csv
from services.hotline.roster_dates import RosterDates
from services.hotline.roster_editing import RosterEditor
from services.hotline.roster_plan import (
    assignments_of,
    days_of,
    days_spec,
    grid_of,
    roster_csv,
    shifts_of,
)
from services.people import PeopleService
from services.refusals import Refused
from services.texts import Texts
from storage.db import Database
from storage.repositories.hotline_browsing import HotlineBrowsingRepository
from storage.repositories.hotline_roster import RosterRepository, ShiftRow
from storage.repositories.users import UserRepository

HEADER = "telegram_id,categories,days,start,end\n"
CALENDAR = WorkingCalendar()
EXPERTS = {1: ("legal", "finance"), 2: ("finance",)}
CATEGORIES = ["legal", "finance", "policy"]


@pytest.mark.parametrize(("spec", "columns"), [
    ("daily", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
    ("workdays", ["workdays"]),
    ("mon-fri", ["mon", "tue", "wed", "thu", "fri"]),
    ("sat-mon", ["mon", "sat", "sun"]),
    ("mon;wed;fri", ["mon", "wed", "fri"]),
    ("mon-wed;sat", ["mon", "tue", "wed", "sat"]),
])
def test_days_expand_to_columns_and_back(spec: str, columns: list[str]) -> None:
    assert days_of(spec) == columns
    if spec != "workdays":
        again = days_spec(columns)
        assert days_of(again) == columns
    assert days_spec(["mon", "tue", "wed", "thu", "fri"]) == "mon-fri"
    assert days_spec(["sat", "sun"]) == "sat;sun"


def _duties(shifts: list[ShiftRow], day: date) -> set[tuple[int, str, str, str]]:
    roster = RosterService.__new__(RosterService)
    return {(d.telegram_id, c, d.start, d.end) for d in roster.plan_for(day, shifts, [], CALENDAR)
            for c in d.categories}


def test_taking_the_plan_apart_and_back_keeps_who_is_on_duty_every_day() -> None:
    lines = parse_roster_csv(HEADER + "1,legal;finance,mon-fri,09:00,12:00\n"
                             "1,legal,workdays,14:00,18:00\n2,finance,sat-mon,08:00,24:00\n"
                             "2,finance,daily,08:00,24:00\n", EXPERTS, CATEGORIES)
    shifts = [s for _, s in lines]
    again = shifts_of(assignments_of(shifts), EXPERTS)
    # National Day week, a make-up Sunday and an ordinary week: the calendar matters.
    for offset in range(-14, 21):
        day = date(2026, 10, 1) + timedelta(days=offset)
        assert _duties(again, day) == _duties(shifts, day), day
    assert roster_csv(again) == (HEADER + "2,finance,daily,08:00,24:00\n"
                                 "1,legal;finance,mon-fri,09:00,12:00\n"
                                 "1,legal,workdays,14:00,18:00\n")
    cells = grid_of(assignments_of(again))
    assert [(s.start, s.experts) for s in cells[("finance", "mon")]] == [
        ("08:00", (2,)), ("09:00", (1,))]
    assert [(s.start, s.end) for s in cells[("legal", "workdays")]] == [("14:00", "18:00")]
    assert ("legal", "sat") not in cells


@pytest.mark.parametrize(("line", "key", "values"), [
    ("x,legal,daily,09:00,12:00", "not_number", {"value": "x"}),
    ("9,legal,daily,09:00,12:00", "not_expert", {"value": 9}),
    ("1,tax,daily,09:00,12:00", "unknown_category", {"value": "tax"}),
    ("2,legal,daily,09:00,12:00", "not_in_category", {"expert": 2, "value": "legal"}),
    ("1,legal,weekends,09:00,12:00", "bad_day", {"value": "weekends"}),
    ("1,legal,;,09:00,12:00", "days_empty", {}),
    ("1,legal,daily,9am,12:00", "bad_start", {"value": "9am"}),
    ("1,legal,daily,09:00,25:00", "bad_end", {"value": "25:00"}),
    ("1,legal,daily,12:00,09:00", "end_before_start", {"start": "12:00", "end": "09:00"}),
    ("1,legal,daily,09:00", "column_count", {"expected": 5, "found": 4}),
    ("1,,daily,09:00,12:00", "categories_empty", {}),
])
def test_every_refusal_of_the_command_line_has_its_own_text(line: str, key: str,
                                                            values: dict) -> None:
    with pytest.raises(Refused) as refused:
        parse_roster_csv(HEADER + "1,legal,daily,08:00,09:00\n" + line + "\n", EXPERTS,
                         CATEGORIES)
    rejected = refused.value
    assert (rejected.key, dict(rejected.values)) == (f"roster.csv.{key}", {"line": 3, **values})
    texts = Texts(SUPPORTED_LOCALES, "zh_CN")
    for locale in SUPPORTED_LOCALES:
        assert f"roster.csv.{key}" in texts.keys[locale]
        assert "3" in texts.refusal(locale, rejected.refusal)


def test_a_bad_header_and_an_overlong_field() -> None:
    with pytest.raises(Refused) as refused:
        parse_roster_csv("id,days\n", EXPERTS, CATEGORIES)
    assert (refused.value.key, refused.value.values["line"]) == ("roster.csv.header", 1)
    with pytest.raises(Refused) as refused:
        parse_roster_csv(HEADER + "1,legal,daily,09:00," + "x" * 131_073 + "\n", EXPERTS,
                         CATEGORIES)
    assert refused.value.key == "roster.csv.field_too_long"
    assert dict(refused.value.values) == {"line": 2, "limit": "131,072"}


def test_the_calendar_names_holidays_and_make_up_days() -> None:
    assert describe_day(CALENDAR, date(2026, 10, 1)).holiday == "national_day"
    assert describe_day(CALENDAR, date(2026, 9, 20)).kind == MAKEUP  # a Sunday worked
    period = calendar_period(CALENDAR, date(2026, 9, 15), 30)
    kinds = {d.day: (d.kind, d.holiday) for d in period.special}
    assert kinds[date(2026, 10, 1)] == (HOLIDAY, "national_day")
    assert kinds[date(2026, 9, 25)] == (HOLIDAY, "mid_autumn_festival")
    assert date(2026, 9, 19) not in kinds  # an ordinary Saturday
    assert period.unknown_years == []
    later = calendar_period(CALENDAR, date(2026, 12, 25), 14)
    assert later.unknown_years == [2027]


async def _editor(database: Database) -> tuple[RosterEditor, RosterRepository, ExpertService]:
    people = PeopleService(UserRepository(database), "zh_CN", ())
    repository = RosterRepository(database)
    experts = ExpertService(repository, people, Texts(SUPPORTED_LOCALES, "zh_CN"))
    await experts.seed_categories_if_empty()
    await experts.add(1, "王伟", ["legal", "finance"])
    await experts.add(2, "李娜", ["finance"])
    roster = RosterService(repository, "Asia/Shanghai")
    return RosterEditor(repository, roster, experts), repository, experts


async def test_editing_cells_writes_the_plan_the_command_line_would(database: Database) -> None:
    editor, repository, experts = await _editor(database)
    await editor.import_csv((HEADER + "1,legal;finance,mon-fri,09:00,12:00\n").encode())
    plan = await editor.plan()
    await editor.add(plan.version, "finance", "sat", "09:00", "12:00", 2)
    plan = await editor.plan()
    with pytest.raises(Refused) as stale:
        await editor.add("0" * 16, "finance", "sun", "09:00", "12:00", 2)
    assert stale.value.key == "console_ops.roster.error.stale"
    await editor.remove(plan.version, "legal", "wed", "09:00", "12:00", 1)
    plan = await editor.plan()
    moved = await editor.retime(plan.version, "finance", "mon", "09:00", "12:00", "08:30",
                                "11:30")
    assert moved == 1
    assert await editor.export_csv() == (
        HEADER + "1,finance,mon,08:30,11:30\n"
        "1,legal,mon;tue;thu;fri,09:00,12:00\n"
        "1,finance,tue-fri,09:00,12:00\n"
        "2,finance,sat,09:00,12:00\n")
    plan = await editor.plan()
    cells = plan.cells
    assert [s.experts for s in cells[("finance", "sat")]] == [(2,)]
    for refused, key, field in [
        (("legal", "sat", "09:00", "12:00", 2), "not_in_category", "expert"),
        (("legal", "sat", "09:00", "12:00", 7), "not_expert", "expert"),
        (("legal", "sat", "12:00", "09:00", 1), "end_before_start", "end"),
        (("legal", "sat", "9", "12:00", 1), "bad_time", "start"),
        (("legal", "someday", "09:00", "12:00", 1), "unknown_day", "day"),
        (("tax", "sat", "09:00", "12:00", 1), "unknown_category", "category"),
        (("finance", "sat", "09:00", "12:00", 2), "already_there", "expert"),
    ]:
        with pytest.raises(Refused) as error:
            await editor.add(plan.version, *refused)
        assert (error.value.key, error.value.field) == (f"console_ops.roster.error.{key}", field)
    assert len(await repository.shifts()) == 4
    # An expert who since lost a category makes the stored plan invalid: the edit says which
    # line would be refused instead of writing a plan the command line would not take.
    await experts.add(2, "李娜", ["legal"])
    with pytest.raises(Refused) as invalid:
        await editor.add((await editor.plan()).version, "legal", "sun", "09:00", "12:00", 2)
    assert invalid.value.key == "console_ops.roster.error.plan_invalid"
    reason = invalid.value.values["reason"]
    assert (reason.values["line"], reason.key) == (5, "roster.csv.not_in_category")
    assert len(await repository.shifts()) == 4


async def test_a_bad_file_is_refused_whole_and_the_plan_stays(database: Database) -> None:
    editor, _, _ = await _editor(database)
    good = HEADER + "1,legal,workdays,09:00,12:00\n2,finance,daily,14:00,18:00\n"
    assert await editor.import_csv(good.encode("utf-8-sig")) == 2
    exported = await editor.export_csv()
    for data, line, key in [
        ((HEADER + "1,legal,daily,09:00,12:00\n2,legal,daily,09:00,12:00\n").encode(), 3,
         "not_in_category"),
        (b"\xff\xfe bad", None, "encoding"),
        (b"   \n", None, "empty"),
        (b"x" * (600 * 1024), None, "too_big"),
    ]:
        with pytest.raises(Refused) as refused:
            await editor.import_csv(data)
        assert (refused.value.values.get("line"), refused.value.key) == (
            line, f"roster.csv.{key}")
    assert await editor.export_csv() == exported
    # The export is a file the import takes back unchanged.
    await editor.import_csv(exported.encode())
    assert await editor.export_csv() == exported


async def test_overrides_swaps_and_the_days_as_they_apply(database: Database) -> None:
    editor, repository, experts = await _editor(database)
    dates = RosterDates(repository, HotlineBrowsingRepository(database),
                        RosterService(repository, "Asia/Shanghai"), experts)
    await experts.add(3, "赵敏", ["legal"])
    await editor.import_csv((HEADER + "1,legal,workdays,09:00,12:00\n").encode())
    today = date(2026, 9, 28)
    leave = await dates.add_override(today, date(2026, 9, 29), 1, "off", (), "", "")
    extra = await dates.add_override(today, date(2026, 10, 1), 2, "on", ("finance",),
                                     "10:00", "16:00")
    for args, key, field in [
        ((date(2026, 9, 27), 1, "off", (), "", ""), "overrides.error.past", "day"),
        ((today, 1, "maybe", (), "", ""), "overrides.error.kind", "kind"),
        ((today, 9, "off", (), "", ""), "roster.error.not_expert", "expert"),
        ((today, 2, "on", ("legal",), "", ""), "roster.error.not_in_category", "categories"),
        ((today, 2, "on", (), "18:00", "10:00"), "roster.error.end_before_start", "end"),
    ]:
        with pytest.raises(Refused) as error:
            await dates.add_override(today, *args)
        assert (error.value.key, error.value.field) == (f"console_ops.{key}", field)
    # A swap: Wang off on the 30th, Zhao works his shift in what Zhao answers (legal).
    swapped = await dates.swap(today, date(2026, 9, 30), 1, 3)
    assert len(swapped) == 2
    for args, key, field in [
        ((date(2026, 9, 30), 1, 1), "overrides.error.same_person", "replacement"),
        ((date(2026, 10, 2), 1, 3), "overrides.error.no_duty", "day"),  # National Day
        ((date(2026, 9, 30), 1, 9), "roster.error.not_expert", "replacement"),
        ((date(2026, 10, 9), 3, 2), "overrides.error.no_duty", "day"),
        ((date(2026, 10, 9), 1, 2), "roster.error.not_in_category", "replacement"),
    ]:
        with pytest.raises(Refused) as error:
            await dates.swap(today, *args)
        assert (error.value.key, error.value.field) == (f"console_ops.{key}", field)

    by_day = {d.calendar.day: d for d in await dates.days(today, 5)}
    assert [x.telegram_id for x in by_day[date(2026, 9, 28)].duties] == [1]
    assert by_day[date(2026, 9, 29)].duties == []  # on leave
    assert [(x.telegram_id, x.categories, x.start, x.override)
            for x in by_day[date(2026, 9, 30)].duties] == [(3, ("legal",), "09:00", True)]
    national_day = by_day[date(2026, 10, 1)]
    assert national_day.calendar.holiday == "national_day"
    assert [(x.telegram_id, x.start, x.override) for x in national_day.duties] == [
        (2, "10:00", True)]
    assert [o.id for o in await dates.overrides(today, today + timedelta(days=7))] == [
        leave, *swapped, extra]
    removed = await dates.remove_override(leave)
    assert removed is not None and (removed.telegram_id, removed.kind) == (1, "off")
    assert await dates.remove_override(leave) is None
