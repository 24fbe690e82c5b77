"""`hotline calendar import|show`, `hotline roster show` naming its source, and `hotline
roster import` refusing a file with only its header: run as a user runs them, a process."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.test_cli import errors, hotline

NOTICE = """date,kind,name
2030-12-28,workday,元旦调休
2031-01-01,holiday,元旦
2031-01-25,holiday,春节
2031-01-26,holiday,春节
2031-02-08,workday,春节调休
"""


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal, without the line naming the database that every command prints."""
    stderr = errors(result)
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    return stderr.strip()


def with_database(tmp_path: Path) -> None:
    """A database as the bot leaves it (reading commands refuse to create one)."""
    assert hotline(tmp_path, "db", "upgrade").returncode == 0


def test_import_and_show_a_year(tmp_path: Path) -> None:
    with_database(tmp_path)
    unknown = hotline(tmp_path, "calendar", "show", "2031")
    assert unknown.returncode == 0
    assert unknown.stdout.startswith("2031: not known yet: not entered and not in the package")
    (tmp_path / "notice-2031.csv").write_text(NOTICE, encoding="utf-8")
    imported = hotline(tmp_path, "calendar", "import", "notice-2031.csv")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == (
        "entered the 2031 calendar: 3 holidays and 2 make-up working days\n")
    shown = hotline(tmp_path, "calendar", "show", "2031").stdout.splitlines()
    assert shown[0].startswith("2031: the bureau's entered calendar")
    assert shown[1:] == [
        "2030-12-28\tSat\tmake-up working day\t元旦调休\tthe bureau's entered calendar "
        "(notice-2031.csv)",
        "2031-01-01\tWed\tholiday\t元旦\tthe bureau's entered calendar (notice-2031.csv)",
        "2031-01-25\tSat\tholiday\t春节\tthe bureau's entered calendar (notice-2031.csv)",
        "2031-01-26\tSun\tholiday\t春节\tthe bureau's entered calendar (notice-2031.csv)",
        "2031-02-08\tSat\tmake-up working day\t春节调休\tthe bureau's entered calendar "
        "(notice-2031.csv)",
        "3 holidays, 2 make-up working days"]
    package = hotline(tmp_path, "calendar", "show", "2026").stdout.splitlines()
    assert package[0].startswith("2026: the package chinese-calendar ")
    assert "2026-10-01\tThu\tholiday\tNational Day\tthe package chinese-calendar " in (
        "\n".join(package))
    # Importing again replaces the year, and says how many days it replaced.
    (tmp_path / "fix.csv").write_text("date,kind,name\n2031-01-01,holiday,元旦\n",
                                      encoding="utf-8")
    assert hotline(tmp_path, "calendar", "import", "fix.csv").stdout == (
        "entered the 2031 calendar: 1 holiday and 0 make-up working days, replacing the 5 "
        "days entered before\n")


def test_roster_show_names_the_source_of_the_day(tmp_path: Path) -> None:
    with_database(tmp_path)
    fallback = hotline(tmp_path, "roster", "show", "--date", "2031-02-08").stdout
    assert fallback.startswith("2031-02-08 Sat: rest day; source: the Monday-Friday fallback")
    package = hotline(tmp_path, "roster", "show", "--date", "2026-10-01").stdout
    assert package.startswith(
        "2026-10-01 Thu: rest day (holiday National Day); source: the package chinese-calendar")
    (tmp_path / "notice.csv").write_text(NOTICE, encoding="utf-8")
    hotline(tmp_path, "calendar", "import", "notice.csv")
    entered = hotline(tmp_path, "roster", "show", "--date", "2031-02-08").stdout
    assert entered.splitlines() == [
        "2031-02-08 Sat: working day (make-up working day 春节调休); source: the bureau's "
        "entered calendar (notice.csv)", "nobody on duty"]


def test_a_bad_file_is_refused_whole_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "good.csv").write_text(NOTICE, encoding="utf-8")
    hotline(tmp_path, "calendar", "import", "good.csv")
    cases = {
        "bad.csv": (NOTICE + "2031-02-12,workday,调休\n",
                    "hotline: bad.csv: line 7: 2031-02-12 is a Wednesday: a make-up working "
                    "day is a Saturday or Sunday; the calendar is unchanged"),
        "mixed.csv": (NOTICE + "2032-01-01,holiday,元旦\n",
                      "hotline: mixed.csv: line 2: 2030-12-28 is not in 2032, the year of this "
                      "file (only make-up days of the December before may be in it); the "
                      "calendar is unchanged"),
        "empty.csv": ("date,kind,name\n", "hotline: empty.csv: the file names no days; the "
                                          "calendar is unchanged"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        refused = hotline(tmp_path, "calendar", "import", name)
        assert refused.returncode == 2 and one_sentence(refused) == message
    (tmp_path / "gbk.csv").write_bytes(NOTICE.encode("gb18030"))
    refused = hotline(tmp_path, "calendar", "import", "gbk.csv")
    assert refused.returncode == 2
    assert one_sentence(refused) == (
        "hotline: gbk.csv: the file is not UTF-8 text; the calendar is unchanged")
    missing = hotline(tmp_path, "calendar", "import", "nowhere.csv")
    assert missing.returncode == 2 and one_sentence(missing) == (
        "hotline: nowhere.csv: No such file or directory; the calendar is unchanged")
    far = hotline(tmp_path, "calendar", "show", "99999999999999999999")
    assert far.returncode == 2
    assert one_sentence(far) == (
        "hotline: 99999999999999999999 is outside the years 2000-2100")
    # None of it touched the year entered first.
    assert hotline(tmp_path, "calendar", "show", "2031").stdout.endswith(
        "3 holidays, 2 make-up working days\n")


def test_a_roster_file_with_only_its_header_needs_allow_empty(tmp_path: Path) -> None:
    with_database(tmp_path)
    (tmp_path / "header.csv").write_text("telegram_id,categories,days,start,end\n",
                                         encoding="utf-8")
    refused = hotline(tmp_path, "roster", "import", "header.csv")
    assert refused.returncode == 2 and refused.stdout == ""
    assert one_sentence(refused) == (
        "hotline: header.csv: The file has no shifts: importing it would empty the weekly "
        "plan and leave every category without cover. Ask for it on purpose (the console's "
        "“Empty the weekly plan”, or --allow-empty) to do that. The roster is unchanged.")
    allowed = hotline(tmp_path, "roster", "import", "header.csv", "--allow-empty")
    assert allowed.returncode == 0 and allowed.stdout == "imported 0 shifts\n"
