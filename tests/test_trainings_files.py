"""Course files, offsets, exports and the `hotline trainings` command line."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli_trainings import describe_error
from bot.settings import SettingsError, load_settings
from services.trainings.courses import CourseInputError, plan_from_toml
from services.trainings.offsets import parse_offsets
from storage.db import Database
from storage.models import User
from storage.repositories.trainings import TrainingRepository
from storage.repositories.users import UserRepository
from tests.test_cli import hotline_env
from tests.trainings_support import NOW, SHANGHAI, local

COURSE = """\
title = "项目管理实务"
kind = "project_management"
description = "项目书撰写与预算"
capacity = 30
registration_deadline = 2026-12-01T18:00:00
audience = "organisations"

[[sessions]]
start = 2026-12-05T09:00:00
end = 2026-12-05T12:00:00
place = "区社会组织孵化基地"
"""


def _refusal(text: str) -> str:
    with pytest.raises(CourseInputError) as caught:
        plan_from_toml(text, SHANGHAI, NOW)
    return describe_error(caught.value)


def test_a_course_file_is_read_in_shanghai_time() -> None:
    plan = plan_from_toml(COURSE, SHANGHAI, NOW)
    assert plan.sessions[0].starts_at == local(2026, 12, 5, 9)
    assert plan.registration_deadline == local(2026, 12, 1, 18)
    assert (plan.kind, plan.audience, plan.capacity) == ("project_management",
                                                        "organisations", 30)


@pytest.mark.parametrize(("change", "expected"), [
    (("end = 2026-12-05T12:00:00", "end = 2026-12-05T08:00:00"),
     "Sessions: session 1 ends before it starts."),
    (("registration_deadline = 2026-12-01T18:00:00",
      "registration_deadline = 2026-12-06T18:00:00"),
     "Registration deadline: must not be after the first session starts."),
    (("start = 2026-12-05T09:00:00", "start = 2026-11-01T09:00:00"),
     "Sessions: that time is in the past; please give a future one."),
    (("capacity = 30", "capacity = 0"), "Capacity: must be between 1 and 1000."),
    (('kind = "project_management"', 'kind = "cooking"'),
     "Kind: please reply with a number from the list."),
    (('title = "项目管理实务"', 'title = "  "'), "Title: this cannot be empty."),
    (("capacity = 30\n", ""), "Capacity is missing."),
    (('place = "区社会组织孵化基地"', 'place = "x"\nstart2 = 1'), None),
])
def test_bad_course_files_are_refused_naming_the_field(change: tuple[str, str],
                                                       expected: str | None) -> None:
    text = COURSE.replace(*change)
    if expected is None:  # unknown keys are ignored
        plan_from_toml(text, SHANGHAI, NOW)
        return
    assert _refusal(text) == expected


def test_a_malformed_course_file_is_refused() -> None:
    assert _refusal("title = ").startswith("Course file: not a valid TOML file:")


def test_reminder_offsets_are_parsed_strictly() -> None:
    assert [o.label for o in parse_offsets("1h, 7d,1d")] == ["7d", "1d", "1h"]
    for bad in ("1d,", "1 d", "1w", "0h", "61d", "1d,24h,1d", "1d;1h"):
        with pytest.raises(ValueError):
            parse_offsets(bad)
    with pytest.raises(SettingsError, match="HOTLINE_REMINDER_OFFSETS must be offsets"):
        load_settings(_env_file=None, reminder_offsets="1d,2x")
    with pytest.raises(SettingsError, match="HOTLINE_EXAM_DATE must be a date"):
        load_settings(_env_file=None, exam_date="next October")


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "trainings", *args],
                          env=hotline_env(tmp_path), capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, check=False)


async def _register(url: str, course_id: int, people: dict[int, str]) -> None:
    database = Database(url)
    try:
        users, repository = UserRepository(database), TrainingRepository(database)
        for telegram_id, name in people.items():
            await users.ensure_exists(telegram_id, "zh_CN")
            async with database.session() as session:
                (await session.get(User, telegram_id)).first_name = name
            await repository.places.register(course_id, telegram_id, NOW)
    finally:
        await database.close()


def test_cli_adds_a_course_and_exports_its_registrants(tmp_path: Path) -> None:
    # The command line runs on the real clock: this course lies far in the future.
    course = tmp_path / "course.toml"
    course.write_text(COURSE.replace("2026-12", "2099-12").replace("capacity = 30",
                                                                   "capacity = 1"),
                      encoding="utf-8")
    added = _cli(tmp_path, "add", "--file", str(course))
    assert added.returncode == 0, added.stderr
    assert added.stdout == "course 1 published: 项目管理实务 (1 sessions, 1 places)\n"
    bad = tmp_path / "bad.toml"
    bad.write_text(COURSE.replace("end = 2026-12-05T12", "end = 2099-12-05T08")
                   .replace("2026-12", "2099-12"), encoding="utf-8")
    refused = _cli(tmp_path, "add", "--file", str(bad))
    assert refused.returncode == 2
    assert refused.stderr.endswith(
        "Sessions: session 1 ends before it starts. Nothing was saved.\n")
    assert _cli(tmp_path, "list").stdout.endswith("1 open courses\n")

    url = hotline_env(tmp_path)["HOTLINE_DATABASE_URL"]
    asyncio.run(_register(url, 1, {7001: "王芳", 7002: "=cmd|' /C calc'!A0"}))
    exported = _cli(tmp_path, "export", "1", "--format", "csv", "--locale", "en")
    assert exported.stdout == "wrote 2 registrants to training-1.csv\n"
    raw = (tmp_path / "training-1.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Telegram ID", "Name", "Telegram username", "Status"]
    assert [[*r[:2], r[3]] for r in rows[1:]] == [["7001", "王芳", "Registered"],
                                                   ["7002", "'=cmd|' /C calc'!A0",
                                                    "Waitlisted"]]
    assert _cli(tmp_path, "export", "1", "--format", "xlsx").returncode == 0
    sheet = load_workbook(tmp_path / "training-1.xlsx").active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:2] == [7001, "王芳"]
    assert values[2][1] == "'=cmd|' /C calc'!A0"  # text, never a formula
    assert _cli(tmp_path, "export", "9").stderr.splitlines()[-1] == (
        "hotline: there is no course 9")
