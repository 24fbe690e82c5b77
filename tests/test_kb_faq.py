"""/faq in the bot and `hotline kb ...` on the command line, as people use them."""

from __future__ import annotations

from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import KbStatus
from tests.driver import data_of, labels, press, press_data, wait_reply
from tests.kb_support import ENTRIES_CSV, knowledge_base_ready
from tests.test_cli import hotline as hotline_cli


async def test_faq_lists_matches_and_a_button_shows_the_whole_answer(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    user = await sandbox.add_user("王", language_code="zh-hans")
    await sandbox.send_text(user["id"], "/faq 项目经费如何记账")
    listing = await wait_reply(sandbox, user["id"])
    assert listing["text"].startswith("📚 与“项目经费如何记账”相关的知识库条目：")
    assert "1. 项目资金怎么入账？" in listing["text"]
    assert labels(listing)[0] == "阅读第 1 条全文"
    data = data_of(listing, "阅读第 1 条全文")
    await press(sandbox, user["id"], listing, "阅读第 1 条全文")
    entry = await wait_reply(sandbox, user["id"])
    assert entry["text"].startswith("📚 知识库 · finance\n项目资金怎么入账？")
    assert "按照专款专用原则" in entry["text"]
    before = entry["text"][: entry["text"].index("专款专用")]
    offset = len(before.encode("utf-16-le")) // 2  # Telegram counts UTF-16 code units
    assert {"type": "bold", "offset": offset, "length": 4} in [
        {k: e[k] for k in ("type", "offset", "length")} for e in entry.get("entities", [])]

    # Retired since the list was sent: the button is refused, nothing is shown.
    await hotline.services.kb.repository.change(int(data.split(":")[2]),
                                                status=KbStatus.RETIRED)
    pressed = await press_data(sandbox, user["id"], listing, data)
    assert pressed["answer"]["text"] == "这个条目已不再提供。"
    forged = await press_data(sandbox, user["id"], listing, "kb:read:x", forged=True)
    assert forged["answer"]["text"] == "这个条目已不再提供。"


async def test_faq_without_words_or_without_matches_says_so(hotline: Hotline,
                                                            sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    user = await sandbox.add_user("Emma", language_code="en")
    await sandbox.send_text(user["id"], "/faq")
    usage = await wait_reply(sandbox, user["id"])
    assert usage["text"].startswith("Write your question after /faq")
    await sandbox.send_text(user["id"], "/faq <b>parking</b> permits")
    none = await wait_reply(sandbox, user["id"])
    assert none["text"] == ("Nothing in the knowledge base matches “<b>parking</b> permits”. "
                            "You can ask an expert with /ask.")


def test_cli_imports_searches_and_exports(tmp_path: Path) -> None:
    good = tmp_path / "kb.csv"
    good.write_text(ENTRIES_CSV, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(ENTRIES_CSV + "legal,重复?,\n", encoding="utf-8")
    refused = hotline_cli(tmp_path, "kb", "import", str(bad))
    assert refused.returncode == 2
    # (The lines before it name the database the command used.)
    assert refused.stderr.splitlines()[-1] == (f"hotline: {bad}: line 7: the answer is empty; "
                                               "nothing was imported")
    assert hotline_cli(tmp_path, "kb", "import", str(good)).stdout == "imported 5 entries\n"
    found = hotline_cli(tmp_path, "kb", "search", "社工签政府采购合同").stdout.splitlines()
    entry_id, category, question, score = found[0].split("\t")
    assert (category, question) == ("policy", "社会工作者如何签订政府购买服务合同？")
    assert float(score) >= 0.5 and entry_id.isdigit()
    scores = [float(line.split("\t")[3]) for line in found]
    assert scores == sorted(scores, reverse=True)
    exported = hotline_cli(tmp_path, "kb", "export").stdout
    assert exported.splitlines()[0] == "category,question,answer" and exported.count("\n") == 6
