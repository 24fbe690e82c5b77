"""Searches ask the index for the question's rare words only (services/kb/common_words.py),
and the counts they rely on are the index's own (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest

import services.kb.common_words as common_words
from services.kb import build_knowledge_base
from services.kb.common_words import rarest
from services.kb.segmenter import Segmenter
from services.kb.service import KnowledgeBase
from storage.db import Database
from storage.models import KbStatus

SEGMENTER = Segmenter()

# Every entry says 要求 and 负责; each has one word of its own.
COMMON_CSV = "category,question,answer\n" + "".join(
    f"operations,{topic}有什么要求？,{topic}按照统一要求执行，请联系负责人。\n"
    for topic in ("遗嘱见证", "车辆使用", "印章使用", "档案管理", "会议记录", "物资管理",
                  "安全检查", "值班安排"))


def test_common_words_are_left_to_the_score_while_rare_ones_fill_the_budget() -> None:
    counts = {"要求": 900, "负责": 950, "遗嘱": 3, "见证": 5}
    alternatives = [("要求",), ("遗嘱",), ("负责",), ("见证",)]
    assert rarest(alternatives, counts, budget=100) == [("遗嘱",), ("见证",)]
    assert rarest(alternatives, counts, budget=2000) == alternatives  # all fit: all asked


def test_the_rarest_alternative_is_asked_for_however_common() -> None:
    counts = {"要求": 900, "负责": 950}
    assert rarest([("负责",), ("要求",)], counts, budget=10) == [("要求",)]


def test_words_must_all_occur_so_a_phrase_holds_no_more_than_its_rarest_word() -> None:
    counts = {"政府": 800, "采购": 4, "服务": 700}
    assert rarest([("服务",), ("政府", "采购")], counts, budget=100) == [("政府", "采购")]


def test_a_word_newer_than_the_counts_is_asked_for() -> None:
    assert rarest([("要求",), ("新词",)], {"要求": 900}, budget=100) == [("新词",)]


def spy_on_the_index(kb: KnowledgeBase,
                     monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str, ...]]]:
    """The alternatives each search asks the index for."""
    asked: list[list[tuple[str, ...]]] = []
    candidates = kb.repository.candidates

    async def spy(alternatives, limit):  # type: ignore[no-untyped-def]
        asked.append(list(alternatives))
        return await candidates(alternatives, limit)

    monkeypatch.setattr(kb.repository, "candidates", spy)
    return asked


@pytest.fixture
async def kb(database: Database) -> KnowledgeBase:
    base = build_knowledge_base(database, SEGMENTER)
    assert await base.import_csv(COMMON_CSV) == 8
    return base


async def test_word_counts_are_the_published_entries_holding_each_word(
        kb: KnowledgeBase) -> None:
    counts = await kb.repository.word_counts()
    assert counts["要求"] == 8 and counts["遗嘱"] == 1
    entry = (await kb.search("遗嘱见证有什么要求"))[0].entry
    await kb.repository.change(entry.id, status=KbStatus.RETIRED)
    counts = await kb.repository.word_counts()
    assert counts["要求"] == 7 and "遗嘱" not in counts


async def test_with_a_tight_budget_the_rare_word_still_finds_its_entry(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common_words, "RANKED_ROWS", 2)
    asked = spy_on_the_index(kb, monkeypatch)
    hits = await kb.good_matches("遗嘱见证人有什么要求，找谁负责")
    assert [h.entry.question for h in hits][:1] == ["遗嘱见证有什么要求？"]
    assert all("要求" not in alternative for alternative in asked[-1])
    # A question of common words only is still answered from the rarest of them.
    assert await kb.search("有什么要求") != []


async def test_an_import_is_counted_by_the_next_search(kb: KnowledgeBase,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common_words, "RANKED_ROWS", 2)
    asked = spy_on_the_index(kb, monkeypatch)
    await kb.search("遗嘱公证")
    assert ("遗嘱",) in asked[-1]  # one entry holds it: rare
    await kb.import_csv("category,question,answer\nlegal,遗嘱公证怎么办？,到公证处办理。\n"
                        "legal,遗嘱可以撤回吗？,可以。\n")
    hits = await kb.search("遗嘱公证")
    assert hits[0].entry.question == "遗嘱公证怎么办？"
    assert ("遗嘱",) not in asked[-1]  # in three entries now: over the budget
    assert ("公证",) in asked[-1]


async def test_stale_counts_are_read_again_in_the_background_and_a_failure_keeps_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[dict[str, int] | Exception] = [{"要求": 1}, {"要求": 2}, OSError("down")]
    gate = asyncio.Event()

    async def read() -> dict[str, int]:
        if len(reads) < 3:
            await gate.wait()  # the second read takes its time
        answer = reads.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    counts = common_words.WordCounts(read)
    assert await counts.current() == {"要求": 1}
    monkeypatch.setattr(common_words, "FRESH_SECONDS", -1)
    assert await counts.current() == {"要求": 1}  # not waiting for the read under way
    assert await counts.current() == {"要求": 1}  # and not starting a second one
    gate.set()
    await until(lambda: len(reads) == 1)
    assert await counts.current() == {"要求": 2}  # and it starts the third read, which fails
    await until(lambda: not reads)
    monkeypatch.setattr(common_words, "FRESH_SECONDS", 300)
    await asyncio.sleep(0)
    assert await counts.current() == {"要求": 2}  # the failed read changed nothing


async def until(done) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        if done():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the background read never finished")
