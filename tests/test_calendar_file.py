"""The file of a State Council notice (`hotline calendar import`, the console's year page):
a good file, each kind of bad line refused and named, one year per file."""

from __future__ import annotations

from datetime import date

import pytest

from services.hotline.calendar_file import (
    CalendarFileError,
    decode_notice,
    parse_notice,
)

HEADER = "date,kind,name\n"


def test_a_good_file_is_one_years_notice_in_date_order() -> None:
    notice = parse_notice("\ufeff" + HEADER + "2027-02-13,Workday,春节调休\n\n"
                          "2027-02-06,holiday, 春节 \n2026-12-26,workday,元旦调休\n")
    assert notice.year == 2027
    assert [(n.line, n.day, n.kind, n.name) for n in notice.lines] == [
        (5, date(2026, 12, 26), "workday", "元旦调休"),
        (4, date(2027, 2, 6), "holiday", "春节"),
        (2, date(2027, 2, 13), "workday", "春节调休")]
    assert (notice.holidays, notice.workdays) == (1, 2)


@pytest.mark.parametrize(("body", "key", "message"), [
    ("2027-02-30,holiday,春节", "bad_date",
     "line 2: '2027-02-30' is not a date like 2027-01-01"),
    ("27-2-6,holiday,春节", "bad_date", "line 2: '27-2-6' is not a date like 2027-01-01"),
    ("1999-02-06,holiday,春节", "year_range", "line 2: 1999-02-06 is outside the years"),
    ("2027-02-06,vacation,春节", "bad_kind",
     "line 2: kind 'vacation' is neither holiday nor workday"),
    ("2027-02-06,holiday,", "name_empty", "line 2: the name is empty"),
    ("2027-02-06,holiday," + "长" * 65, "name_long", "line 2: the name is longer than 64"),
    ("2027-02-06,holiday", "column_count", "line 2: expected 3 columns, found 2"),
    ("2027-02-06,holiday,春节\n2027-02-06,holiday,春节", "duplicate",
     "line 3: 2027-02-06 is already on line 2"),
    ("2027-02-10,workday,春节调休", "workday_weekday",
     "line 2: 2027-02-10 is a Wednesday: a make-up working day is a Saturday or Sunday"),
    ("2027-02-06,holiday,春节\n2025-10-01,holiday,国庆节", "other_year",
     "line 3: 2025-10-01 is not in 2027"),
    # A holiday of the December before is another year's notice, not a make-up day of this.
    ("2027-02-06,holiday,春节\n2026-12-31,holiday,元旦", "other_year",
     "line 3: 2026-12-31 is not in 2027"),
])
def test_a_bad_line_refuses_the_whole_file_naming_the_line(body: str, key: str,
                                                           message: str) -> None:
    with pytest.raises(CalendarFileError) as refused:
        parse_notice(HEADER + body + "\n")
    assert refused.value.key == key
    assert str(refused.value).startswith(message)


def refusal(text: str | None = None, data: bytes | None = None) -> str:
    with pytest.raises(CalendarFileError) as refused:
        parse_notice(text if data is None else decode_notice(data))
    return str(refused.value)


def test_the_file_as_a_whole() -> None:
    assert refusal("day,type,name\n2027-02-06,holiday,春节\n") == (
        "line 1: the columns must be date,kind,name")
    assert refusal(HEADER) == "the file names no days"
    assert refusal("") == "line 1: the columns must be date,kind,name"
    assert refusal(data="2027-02-06,holiday,春节".encode("gb18030")) == (
        "the file is not UTF-8 text")
    assert refusal(data=b"x" * (64 * 1024 + 1)) == "the file is larger than 64 KiB"
