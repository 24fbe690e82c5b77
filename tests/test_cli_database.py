"""Which database the command line uses: said on stderr, the demo's found, none made by a read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.database_choice import SANDBOX_DATABASE, choose_database, masked_url
from bot.settings import load_settings
from tests.test_cli import hotline

TOKEN = "123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr"


def test_without_token_the_cli_reads_the_demo_database_make_run_writes(tmp_path: Path) -> None:
    demo = tmp_path / "data" / "sandbox.db"
    # Nothing there yet: a read says so, and leaves no empty database behind.
    listed = hotline(tmp_path, "experts", "list", HOTLINE_DATABASE_URL="")
    assert listed.returncode == 2 and listed.stdout == ""
    assert listed.stderr.splitlines() == [
        "hotline: database sqlite+aiosqlite:///data/sandbox.db (the embedded sandbox's: "
        "no HOTLINE_BOT_TOKEN and no HOTLINE_DATABASE_URL set)",
        "hotline: there is no database at data/sandbox.db yet, so there is nothing to show: "
        "start the bot once (make run), or set HOTLINE_DATABASE_URL to the one it uses."]
    assert not demo.exists() and not (tmp_path / "data" / "hotline.db").exists()
    # A command that writes creates it, and says so.
    added = hotline(tmp_path, "experts", "add", "900000003", "--name", "王老师",
                    "--categories", "legal", HOTLINE_DATABASE_URL="")
    assert added.returncode == 0, added.stderr
    assert "hotline: data/sandbox.db does not exist yet: creating it" in added.stderr
    assert demo.exists()
    # The next read finds the same database: the expert is there, not "0 experts".
    listed = hotline(tmp_path, "experts", "list", HOTLINE_DATABASE_URL="")
    assert listed.returncode == 0
    assert "900000003\t王老师\tlegal" in listed.stdout and listed.stdout.endswith("1 experts\n")


def test_with_a_token_the_default_database_is_hotline_db(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    sqlite3.connect(tmp_path / "data" / "sandbox.db").close()
    result = hotline(tmp_path, "users", "list", HOTLINE_DATABASE_URL="", HOTLINE_BOT_TOKEN=TOKEN)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "hotline: database sqlite+aiosqlite:///data/hotline.db (the default)")
    assert "there is no database at data/hotline.db yet" in result.stderr
    assert TOKEN not in result.stderr


def test_an_explicit_url_wins_and_its_password_is_masked(tmp_path: Path) -> None:
    result = hotline(tmp_path, "users", "list",
                     HOTLINE_DATABASE_URL="postgresql+asyncpg://hotline:s3cret@127.0.0.1:1/x")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "hotline: database postgresql+asyncpg://hotline:***@127.0.0.1:1/x "
        "(HOTLINE_DATABASE_URL)")
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_the_rule_is_the_one_the_sandbox_uses() -> None:
    no_token = load_settings(_env_file=None)
    assert choose_database(no_token).url == SANDBOX_DATABASE
    assert choose_database(no_token, sandbox=False).url == "sqlite+aiosqlite:///data/hotline.db"
    with_token = load_settings(_env_file=None, bot_token=TOKEN)
    assert choose_database(with_token).url == "sqlite+aiosqlite:///data/hotline.db"
    assert choose_database(with_token, sandbox=True).url == SANDBOX_DATABASE  # hotline sandbox
    # The demo never writes into the real bot's default database, even when .env names it.
    named = load_settings(_env_file=None, database_url="sqlite+aiosqlite:///data/hotline.db")
    assert choose_database(named, sandbox=True).url == SANDBOX_DATABASE
    own = load_settings(_env_file=None, database_url="sqlite+aiosqlite:///demo/mine.db")
    assert choose_database(own, sandbox=True).url == "sqlite+aiosqlite:///demo/mine.db"
    assert choose_database(own).explicit and not choose_database(named).explicit
    assert masked_url("postgresql+asyncpg://u:p%40ss@h/db") == "postgresql+asyncpg://u:***@h/db"
