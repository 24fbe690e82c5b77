"""The `hotline` command line, run as a user runs it: a separate process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

from sandbox.client import SandboxClient
from tests.driver import say
from tests.support import free_port

TOKEN_SHAPE = re.compile(r"\d{4,}:[A-Za-z0-9_-]{30,}")


def hotline_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HOTLINE_") or k == "HOTLINE_CLI_TRACEBACKS"}
    env["HOTLINE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env.update(extra)
    return env


def hotline(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=hotline_env(tmp_path, **extra),
        capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False,
    )


def errors(result: subprocess.CompletedProcess[str]) -> str:
    """stderr without the line naming the database (every command prints it)."""
    return "".join(line for line in result.stderr.splitlines(keepends=True)
                   if not line.startswith("hotline: database "))


def test_users_grant_list_revoke(tmp_path: Path) -> None:
    assert hotline(tmp_path, "db", "upgrade").stdout.startswith("database is at revision")
    assert hotline(tmp_path, "users", "grant", "424242", "staff").stdout == (
        "424242 is now staff\n")
    assert hotline(tmp_path, "users", "grant", "424242", "staff").stdout == (
        "424242 already was staff\n")
    listed = hotline(tmp_path, "users", "list", "--role", "staff").stdout
    assert "424242\t424242\tzh_CN\tstaff" in listed and listed.endswith("1 people\n")
    assert hotline(tmp_path, "users", "revoke", "424242", "staff").stdout == (
        "424242 is no longer staff\n")
    assert hotline(tmp_path, "users", "list", "--role", "staff").stdout == "0 people\n"


def test_a_wrong_role_or_setting_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = hotline(tmp_path, "users", "grant", "1", "emperor")
    assert result.returncode == 2 and "invalid choice: 'emperor'" in result.stderr
    result = hotline(tmp_path, "run", HOTLINE_BOT_TOKEN="not-a-token")
    assert result.returncode == 2
    assert result.stderr.startswith("hotline: HOTLINE_BOT_TOKEN is malformed")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    result = hotline(tmp_path, "users", "list",
                     HOTLINE_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/x")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert errors(result).startswith("hotline: HOTLINE_DATABASE_URL: the database cannot be")


async def test_sandbox_mode_starts_answers_and_stops_cleanly(tmp_path: Path) -> None:
    """What `make run` does without a token: sandbox, demo people, a bot that answers."""
    sandbox_port, http_port = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path,
        env=hotline_env(tmp_path, HOTLINE_SANDBOX_PORT=str(sandbox_port),
                        HOTLINE_HTTP_PORT=str(http_port), HOTLINE_DATABASE_URL=""),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        world = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert world.startswith("Sandbox world: new, kept in data/sandbox-world.json")
        banner = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert banner.startswith("No HOTLINE_BOT_TOKEN set: running on the embedded defaults")
        assert f"http://127.0.0.1:{sandbox_port}/" in banner
        async with SandboxClient(f"http://127.0.0.1:{sandbox_port}") as client:
            reply = await say(client, 900000006, "/start", timeout=10)  # the English resident
            # She started the bot when the demo made her: this is her second /start.
            assert reply["text"].startswith("Welcome back, Emma Wilson!")
            # Demo content: two project calls are there to read.
            listing = await say(client, 900000006, "/announcements",
                                lambda m: "居家养老" in m["text"], timeout=10)
            assert "2026年度社区营造项目申报通知" in listing["text"]
            courses = await say(client, 900000006, "/trainings",
                                lambda m: "辅导班" in m["text"], timeout=10)
            assert "社会工作者职业水平考试考前辅导班（第10期）" in courses["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    output = stdout.decode() + stderr.decode()
    assert "Traceback" not in output
    assert not TOKEN_SHAPE.search(output), "a token reached the log"
    # With no token the command line finds the demo's database by itself.
    demo_db = {"HOTLINE_DATABASE_URL": ""}
    shown = hotline(tmp_path, "log", "show", "900000006", **demo_db).stdout
    lines = shown.splitlines()
    assert "→ bot command: /start" in lines[0]
    assert "bot → text: Hello, Emma Wilson! Welcome to the Community Hotline." in lines[1]
    assert lines[-1] == f"{len(lines) - 1} messages"
    experts = hotline(tmp_path, "experts", "list", **demo_db).stdout
    assert "900000003" in experts and "王老师" in experts
    roster = hotline(tmp_path, "roster", "show", **demo_db).stdout
    assert "900000007" in roster and "supervision" in roster


def test_a_busy_port_is_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = hotline(tmp_path, "run", HOTLINE_SANDBOX_PORT=str(port))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"hotline: HOTLINE_SANDBOX_PORT: cannot listen on 127.0.0.1:{port} "
        "(Address already in use).")


def test_places_import_replaces_the_list_or_nothing(tmp_path: Path) -> None:
    assert hotline(tmp_path, "db", "upgrade").returncode == 0
    listed = hotline(tmp_path, "places", "list").stdout
    assert listed == ""  # the CLI alone does not seed; the bot does at start
    good = tmp_path / "places.csv"
    good.write_text("\ufeffstreet,street_en,community,community_en\n"
                    "太和街道,Taihe Street,太和社区,Taihe Community\n"
                    "太和街道,Taihe Street,东风社区,Dongfeng Community\n", encoding="utf-8")
    assert hotline(tmp_path, "places", "import", str(good)).stdout == "imported 2 places\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("street,street_en,community,community_en\n"
                   "吴井街道,Wujing Street,吴井社区,Wujing Community\n"
                   "吴井街道,Wujing Street,,\n", encoding="utf-8")
    result = hotline(tmp_path, "places", "import", str(bad))
    assert result.returncode == 2
    assert errors(result) == (
        f"hotline: {bad}: line 3: community is empty; the list is unchanged\n")
    assert hotline(tmp_path, "places", "list").stdout == (
        "太和街道 (Taihe Street): 太和社区、东风社区\n")
