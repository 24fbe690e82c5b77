"""Wrong input on the command line: one sentence and a non-zero exit, never a traceback.

These run with HOTLINE_CLI_TRACEBACKS set (tests/conftest.py): every refusal here is the
command's own, not the catch-all turning a crash into a sentence.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import TOKEN_SHAPE, errors, hotline

TOO_BIG = str(2**63)  # one past what a BIGINT column stores


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal, checked to be a single line with no traceback."""
    text = errors(result)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(text.strip().splitlines()) == 1, result.stderr
    return text.strip()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    assert hotline(tmp_path, "db", "upgrade").returncode == 0
    return tmp_path


@pytest.mark.parametrize(("args", "refusal"), [
    (("users", "grant", TOO_BIG, "staff"),
     "hotline users grant: argument telegram_id: a Telegram id must be from 1 to "
     f"{2**63 - 1}, not {TOO_BIG}"),
    (("log", "show", TOO_BIG),
     f"hotline log show: argument telegram_id: a Telegram id must be from 1 to {2**63 - 1}"),
    (("experts", "add", TOO_BIG, "--name", "王伟", "--categories", "legal"),
     "hotline experts add: argument telegram_id: a Telegram id must be from 1 to"),
    (("roster", "override", TOO_BIG, "off", "--date", "2026-10-01"),
     "hotline roster override: argument telegram_id: a Telegram id must be from 1 to"),
    (("roster", "unoverride", TOO_BIG),
     f"hotline roster unoverride: argument override_id: an id must be from 1 to {2**31 - 1}"),
    (("trainings", "export", TOO_BIG),
     f"hotline trainings export: argument course_id: an id must be from 1 to {2**31 - 1}"),
    (("announce", "status", TOO_BIG),
     f"hotline: announce status: the id must be a whole number from 1 to {2**31 - 1}, "
     f"not '{TOO_BIG}'"),
    (("announce", "cancel", "12abc"),
     "hotline: announce cancel: the id must be a whole number from 1 to"),
    (("cases", "block", "0"),
     "hotline cases block: argument telegram_id: a Telegram id must be from 1 to"),
    (("users", "revoke", "1e9", "staff"),
     "hotline users revoke: argument telegram_id: a Telegram id must be a whole number, "
     "not '1e9'"),
])
def test_ids_beyond_what_the_database_stores_are_refused(
        database: Path, args: tuple[str, ...], refusal: str) -> None:
    result = hotline(database, *args)
    assert result.returncode == 2
    assert one_sentence(result).startswith(refusal)


def test_a_places_file_that_is_not_utf8_names_the_line(database: Path) -> None:
    gbk = database / "places-gbk.csv"
    gbk.write_bytes("street,street_en,community,community_en\n"
                    "太和街道,Taihe Street,太和社区,Taihe Community\n".encode("gbk"))
    result = hotline(database, "places", "import", str(gbk))
    assert result.returncode == 2
    assert one_sentence(result) == (
        f"hotline: {gbk}: line 2 is not UTF-8 text (byte 0xba); save the file as UTF-8; "
        "the list is unchanged")


def test_a_roster_field_over_the_csv_limit_names_the_line(database: Path) -> None:
    plan = database / "roster.csv"
    plan.write_text("telegram_id,categories,days,start,end\n"
                    f"1,legal,daily,09:00,{'x' * 131_073}\n", encoding="utf-8")
    result = hotline(database, "roster", "import", str(plan))
    assert result.returncode == 2
    assert one_sentence(result) == (
        f"hotline: {plan}: Line 2: a field is longer than 131,072 characters. "
        "The roster is unchanged.")


def test_course_and_announcement_files_that_are_not_utf8(database: Path) -> None:
    course = database / "course.toml"
    course.write_bytes(b'title = "ok"\ndescription = "\xff"\n')
    result = hotline(database, "trainings", "add", "--file", str(course))
    assert result.returncode == 2
    assert one_sentence(result) == (
        f"hotline: {course}: line 2 is not UTF-8 text (byte 0xff); save the file as UTF-8; "
        "nothing was saved")
    body = database / "body.txt"
    body.write_bytes(b"\x89PNG\r\n")
    result = hotline(database, "announce", "--topic", "projects", "--title", "T",
                     "--body-file", str(body), "--yes")
    assert result.returncode == 2
    assert one_sentence(result) == (
        f"hotline: {body}: line 1 is not UTF-8 text (byte 0x89); save the file as UTF-8")
    missing = database / "missing.txt"
    result = hotline(database, "announce", "--topic", "projects", "--title", "T",
                     "--body-file", str(missing), "--yes")
    assert one_sentence(result) == f"hotline: {missing}: No such file or directory"


def test_an_unwritable_export_is_one_sentence(database: Path) -> None:
    target = database / "no-such-folder" / "cases.csv"
    result = hotline(database, "cases", "export", "--from", "2026-01-01", "--to", "2026-01-31",
                     "--output", str(target))
    assert result.returncode == 2
    assert one_sentence(result) == f"hotline: {target}: No such file or directory"


def test_an_unforeseen_failure_is_one_sentence_and_its_traceback_is_there_at_debug(
        database: Path) -> None:
    # A damaged database: a table is gone although every migration is applied.
    with sqlite3.connect(database / "cli.db") as db:
        db.execute("DROP TABLE hotline_roster_overrides")
    result = hotline(database, "roster", "unoverride", "5", HOTLINE_CLI_TRACEBACKS="")
    assert result.returncode == 1
    assert one_sentence(result) == (
        "hotline: roster failed unexpectedly (OperationalError: (sqlite3.OperationalError) "
        "no such table: hotline_roster_overrides); HOTLINE_LOG_LEVEL=DEBUG shows where.")
    debug = hotline(database, "roster", "unoverride", "5", HOTLINE_CLI_TRACEBACKS="",
                    HOTLINE_LOG_LEVEL="DEBUG")
    assert debug.returncode == 1
    assert "DEBUG hotline: hotline roster failed\nTraceback" in debug.stderr
    # Under test (and for developers) the error is raised as it is.
    raised = hotline(database, "roster", "unoverride", "5", HOTLINE_CLI_TRACEBACKS="1")
    assert raised.returncode == 1 and "Traceback" in raised.stderr


def test_a_bad_api_url_never_prints_the_token(database: Path) -> None:
    token = "123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr"
    body, photo = database / "body.txt", database / "photo.png"
    body.write_text("社区活动通知", encoding="utf-8")
    photo.write_bytes(b"\x89PNG\r\n\x1a\n")
    settings = {"HOTLINE_BOT_TOKEN": token, "HOTLINE_ADMIN_IDS": "5",
                # aiohttp's refusal of this URL quotes it whole, token included.
                "HOTLINE_API_BASE_URL": "htp://nowhere.invalid/bot"}
    result = hotline(database, "announce", "--topic", "projects", "--title", "T",
                     "--body-file", str(body), "--photo", str(photo), "--yes", **settings)
    assert result.returncode == 2
    assert one_sentence(result) == (
        "hotline: --photo: the Bot API at HOTLINE_API_BASE_URL cannot be reached "
        "(aiohttp.NonHttpUrlClientError: htp://nowhere.invalid/bot<secret>/getMe); "
        "nothing was sent")
    # And at DEBUG, where every library logs what it calls, nothing shows it either.
    debug = hotline(database, "announce", "--topic", "projects", "--title", "T",
                    "--body-file", str(body), "--photo", str(photo), "--yes",
                    HOTLINE_LOG_LEVEL="DEBUG", **settings)
    assert debug.returncode == 2 and "getMe" in debug.stderr
    for output in (result.stdout, result.stderr, debug.stdout, debug.stderr):
        assert token not in output and not TOKEN_SHAPE.search(output)
