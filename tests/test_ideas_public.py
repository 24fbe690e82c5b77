"""The public side of ideas (supports, reports, hiding), the staff topic, duplicates, export."""

from __future__ import annotations

import asyncio
import csv
import os
from pathlib import Path
from typing import NamedTuple

import pytest
from openpyxl import load_workbook

from bot.app import Hotline
from bot.cli import main
from sandbox.client import SandboxClient
from storage.models import Role
from tests.driver import button_data, labels, press_data, say, wait_edit, wait_reply
from tests.ideas_helpers import resident_idea, staff_actor, stored, submit_idea
from tests.support import running_hotline, staff_forum_group


async def open_public(sandbox: SandboxClient, user_id: int, reference: str) -> dict:
    listing = await say(sandbox, user_id, "/ideas", reference)
    data = next(d for d, label in zip(button_data(listing), labels(listing), strict=True)
                if label.startswith(reference))
    return await press_data(sandbox, user_id, listing, data, reference)


async def test_supports_are_counted_once_per_person(hotline: Hotline,
                                                    sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    await say(sandbox, author["id"], "/start", "Lin")
    idea = await resident_idea(hotline, author["id"], "Public <b>library</b> corner",
                               public=True, show_name=True)
    hidden_one = await resident_idea(hotline, author["id"], "Still under review")
    fans = [await sandbox.add_user(f"Fan{n}", language_code="en") for n in range(2)]
    listing = await say(sandbox, fans[0]["id"], "/ideas", "Accepted public-benefit ideas")
    assert idea.reference in listing["text"] and hidden_one.reference not in listing["text"]
    card = await open_public(sandbox, fans[0]["id"], idea.reference)
    assert "Public <b>library</b> corner" in card["text"]  # shown literally
    assert "Submitted by: Lin" in card["text"] and "13800000000" not in card["text"]
    assert "Staff answer" in card["text"] and "Good idea." in card["text"]
    support = f"ideas:pub:sup:{idea.id}"
    first = await press_data(sandbox, fans[0]["id"], card, support)
    assert first["answer"]["text"] == "Thank you for your support!"
    edited = await wait_edit(sandbox, fans[0]["id"], card["message_id"])
    assert labels(edited)[0] == "👍 Support (1)"
    again = await press_data(sandbox, fans[0]["id"], card, support)
    assert again["answer"]["text"] == "You already support this idea."
    other = await open_public(sandbox, fans[1]["id"], idea.reference)
    await press_data(sandbox, fans[1]["id"], other, support)
    assert (await stored(hotline, idea.reference)).support_count == 2
    # A forged support of an idea that is not public is refused, not counted.
    forged = await press_data(sandbox, fans[1]["id"], other, f"ideas:pub:sup:{hidden_one.id}",
                              forged=True)
    assert forged["answer"]["text"] == "This idea is not public at the moment."
    assert (await stored(hotline, hidden_one.reference)).support_count == 0


async def test_three_reports_hide_an_idea_until_staff_restore_it(
        sandbox_server, sandbox: SandboxClient, tmp_path: Path) -> None:
    staff, group = await staff_forum_group(sandbox, "Bureau staff", "Officer")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await hotline.services.people.grant(staff["id"], Role.STAFF)
        author = await sandbox.add_user("Lin", language_code="en")
        idea = await resident_idea(hotline, author["id"], "Buy ads now!!!", public=True)
        reporters = [await sandbox.add_user(f"R{n}", language_code="en") for n in range(3)]
        for number, reporter in enumerate(reporters):
            card = await open_public(sandbox, reporter["id"], idea.reference)
            data = f"ideas:pub:rep:{idea.id}:spam"
            answer = await press_data(sandbox, reporter["id"], card, data)
            assert answer["answer"]["text"] == "Thank you; staff will look at it."
            if number == 0:  # the same person twice counts once
                again = await press_data(sandbox, reporter["id"], card, data)
                assert again["answer"]["text"] == "You have already reported this idea."
        hidden = await stored(hotline, idea.reference)
        assert hidden.hidden_at is not None and hidden.report_count == 3
        listing = await say(sandbox, reporters[0]["id"], "/ideas", "ideas")
        assert idea.reference not in listing["text"]
        # Staff hear of it in the ideas topic of the staff group, created once.
        topic_id = await hotline.services.ideas.staff_topic(group["id"])
        assert topic_id is not None
        posted = await sandbox.bot_messages(group["id"], thread_id=topic_id)
        assert any("被多人举报，已暂时隐藏" in m.get("text", "")
                   for m in posted)
        card = await say(sandbox, staff["id"], f"/review {idea.reference}", idea.reference)
        assert "Reported 3 times and hidden pending staff review." in card["text"]
        await press_data(sandbox, staff["id"], card, f"ideas:rv:unhide:{idea.id}", idea.reference)
        assert (await stored(hotline, idea.reference)).hidden_at is None
        listing = await say(sandbox, reporters[0]["id"], "/ideas", idea.reference)
        assert idea.reference in listing["text"]
    finally:
        await hotline.stop()


async def test_new_ideas_are_announced_in_one_staff_topic_and_duplicates_told(
        sandbox_server, sandbox: SandboxClient, tmp_path: Path) -> None:
    staff, group = await staff_forum_group(sandbox, "Bureau staff", "Officer")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await hotline.services.people.grant(staff["id"], Role.STAFF)
        author = await sandbox.add_user("Lin", language_code="zh-hans")
        await say(sandbox, author["id"], "/start", "")
        first = await hotline.services.ideas.submit(author["id"], {
            "title": "路灯", "problem": "巷子太黑", "solution": "装路灯", "street": "太和街道",
            "community": "太和社区", "contact": None, "show_name": False})
        second = await submit_idea_zh(sandbox, author["id"])
        announced = await wait_reply(sandbox, group["id"], lambda m: second in m.get("text", ""))
        assert announced["text"].startswith(f"🆕 新点子 {second}：长椅 😀 <script>")
        topic_id = await hotline.services.ideas.staff_topic(group["id"])
        assert announced["message_thread_id"] == topic_id
        topics = (await sandbox.state())["chats"]
        created = [t for c in topics if c["id"] == group["id"] for t in c["topics"]]
        assert [t["name"] for t in created] == ["💡 公益金点子"]
        card = await say(sandbox, staff["id"], f"/review {second}", second)
        ask = await press_data(sandbox, staff["id"], card,
                               f"ideas:rv:dup:{(await stored(hotline, second)).id}", "Which idea")
        assert ask is not None
        await say(sandbox, staff["id"], "I-1999-0001", "No idea has that reference")
        await say(sandbox, staff["id"], first.reference.lower(), "marked a duplicate")
        told = await wait_reply(sandbox, author["id"], lambda m: "重复" in m.get("text", ""))
        assert f"您的点子 {second} 与已有的点子 {first.reference}（路灯）重复" in told["text"]
        assert (await stored(hotline, second)).duplicate_of_id == first.id
        # The next idea is announced in the same topic: it was created once.
        third = await submit_idea_zh(sandbox, author["id"])
        announced = await wait_reply(sandbox, group["id"], lambda m: third in m.get("text", ""))
        assert announced["message_thread_id"] == topic_id
        chats = (await sandbox.state())["chats"]
        assert len([t for c in chats if c["id"] == group["id"] for t in c["topics"]]) == 1
    finally:
        await hotline.stop()


async def submit_idea_zh(sandbox: SandboxClient, user_id: int) -> str:
    """The same dialog in Chinese: the questions and buttons come from zh_CN."""
    await say(sandbox, user_id, "/idea", "1. 请给点子起一个简短的标题")
    await say(sandbox, user_id, "长椅 😀 <script>", "2.")
    await say(sandbox, user_id, "公交站没有座位。\n老人等车很累。", "3.")
    streets = await say(sandbox, user_id, "加两张长椅。", "4.")
    assert labels(streets) == ["太和街道", "吴井街道", "矣六街道"]
    communities = await press_data(sandbox, user_id, streets, "ideas:new:street:0", "5.")
    photo = await press_data(sandbox, user_id, communities, "ideas:new:comm:1", "6.")
    contact = await press_data(sandbox, user_id, photo, "ideas:new:nophoto", "7.")
    name = await press_data(sandbox, user_id, contact, "ideas:new:nocontact", "8.")
    check = await press_data(sandbox, user_id, name, "ideas:new:name:0", "请检查")
    assert "长椅 😀 <script>" in check["text"]
    assert "公交站没有座位。\n老人等车很累。" in check["text"]
    assert "提交人：匿名" in check["text"] and "不希望被联系" in check["text"]
    saved = await press_data(sandbox, user_id, check, "ideas:new:submit", "点子已提交")
    return saved["text"].split("编号 ")[1].split("。")[0]


class CliResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


async def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    """`hotline ideas ...` as the user runs it (its own event loop, in a thread: the bot's
    loop is busy), against the running bot's database file."""
    def call() -> int:
        try:
            return main(["ideas", *args])
        except SystemExit as exit_:  # argparse refusing an argument
            return int(exit_.code or 0)

    capsys.readouterr()
    code = await asyncio.to_thread(call)
    out, err = capsys.readouterr()
    return CliResult(code, out, err)


async def test_export_to_csv_and_xlsx_holds_what_was_submitted(
        hotline: Hotline, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in [n for n in os.environ if n.startswith("HOTLINE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", hotline.settings.database_url)
    monkeypatch.chdir(tmp_path)
    author = await sandbox.add_user("Lin", language_code="en")
    reference = await submit_idea(sandbox, author["id"], title="=Shade, \"trees\"",
                                  problem="太阳太晒\n没有树荫", contact="WeChat lin_88")
    quiet = await submit_idea(sandbox, author["id"], title="Quiet", contact=None,
                              show_name=False)
    idea = await stored(hotline, reference)
    await hotline.services.ideas.change_status(staff_actor(1), idea.id, "submitted", "accepted",
                                               "Planting in spring.", True)
    fan = await sandbox.add_user("Fan", language_code="en")
    await hotline.services.people.grant(fan["id"], Role.RESIDENT)
    await hotline.services.ideas.support(fan["id"], idea.id)

    result = await run_cli(capsys, "export", "--format", "csv", "--output", "out.csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "exported 2 ideas to out.csv\n"
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    by_ref = {row["编号"]: row for row in rows}
    row = by_ref[reference]
    assert row["标题"] == "'=Shade, \"trees\""  # never a formula in Excel
    assert row["问题"] == "太阳太晒\n没有树荫" and row["街道"] == "太和街道"
    assert row["社区"] == "太和社区" and row["状态"] == "已采纳" and row["支持数"] == "1"
    assert "已提交" in row["状态记录"] and "已采纳" in row["状态记录"]
    assert row["答复"].endswith("Planting in spring.")
    assert row["联系方式"] == "WeChat lin_88" and row["提交人（同意公开）"] == "Lin"
    assert by_ref[quiet]["联系方式"] == "" and by_ref[quiet]["提交人（同意公开）"] == ""

    result = await run_cli(capsys, "export", "--status", "accepted", "--from", "2020-01-01",
                           "--to", "2099-12-31", "--format", "xlsx", "--output", "out.xlsx")
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(tmp_path / "out.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["编号", "提交时间", "标题"] and len(header) == 16
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 1
    assert values[0][0] == reference and values[0][2] == "=Shade, \"trees\""
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert values[0][header.index("支持数")] == 1

    before = await run_cli(capsys, "export", "--to", "2020-01-01", "--output", "old.csv")
    assert before.stdout == "exported 0 ideas to old.csv\n"
    assert (await run_cli(capsys, "export", "--status", "nonsense")).returncode == 2
    assert "is not a date" in (await run_cli(capsys, "export", "--from", "yesterday")).stderr
    listed = (await run_cli(capsys, "statuses")).stdout
    assert "30\taccepted\t已采纳\tAccepted\tpublic,open" in listed
    # The status set is data staff edit: a new one appears on the review card's buttons.
    added = await run_cli(capsys, "status", "funded", "--zh", "已立项", "--en", "Funded",
                          "--position", "35", "--public")
    assert added.stdout == "status funded saved\n", added.stderr
    refused = await run_cli(capsys, "status", "Bad Key", "--zh", "x", "--en", "x",
                            "--position", "1")
    assert refused.returncode == 2
    staff = await sandbox.add_user("Officer", language_code="en")
    await hotline.services.people.grant(staff["id"], Role.STAFF)
    card = await say(sandbox, staff["id"], f"/review {reference}", reference)
    assert "→ Funded" in labels(card)
