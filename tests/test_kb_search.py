"""The knowledge base's entries, CSV import and export, and search (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from services.kb import build_knowledge_base
from services.kb.entries_csv import KbFileError, parse_entries_csv
from services.kb.segmenter import Segmenter
from services.kb.service import KnowledgeBase
from storage.db import Database
from storage.models import KbStatus
from tests.kb_support import ENTRIES_CSV

SEGMENTER = Segmenter()  # jieba's dictionary loads once for the whole module


@pytest.fixture
async def kb(database: Database) -> KnowledgeBase:
    base = build_knowledge_base(database, SEGMENTER)
    assert await base.import_csv(ENTRIES_CSV) == 5
    return base


async def best(kb: KnowledgeBase, text: str) -> tuple[str, float] | None:
    hits = await kb.search(text)
    return (hits[0].entry.question, hits[0].score) if hits else None


async def test_a_paraphrase_in_chinese_finds_its_entry_and_matches_well(kb: KnowledgeBase) -> None:
    question, score = await best(kb, "项目经费应该如何记账")
    assert question == "项目资金怎么入账？" and score >= kb.good_match
    question, score = await best(kb, "遗嘱要几个证人在场")
    assert question == "遗嘱需要几个见证人？" and score >= kb.good_match


async def test_synonyms_match_whole_phrases_both_ways(kb: KnowledgeBase) -> None:
    # 社工 → 社会工作者, 政府采购 → 购买服务: no word of the query is in the entry as typed.
    hits = await kb.good_matches("社工怎样签政府采购的合同")
    assert [h.entry.question for h in hits] == ["社会工作者如何签订政府购买服务合同？"]


async def test_staff_add_a_synonym_and_the_next_search_uses_it(kb: KnowledgeBase) -> None:
    assert await best(kb, "立遗嘱要几个公证人") is not None
    before = (await kb.search("遗愿要几个见证人"))[0]
    await kb.add_synonyms("will", ["遗愿"])
    after = (await kb.search("遗愿要几个见证人"))[0]
    assert after.entry.question == "遗嘱需要几个见证人？" and after.score > before.score
    assert after.score >= kb.good_match


async def test_english_questions_work_too(kb: KnowledgeBase) -> None:
    question, score = await best(kb, "how often is supervision for new social workers")
    assert question == "How often should new social workers have supervision?"
    assert score >= kb.good_match


async def test_an_unrelated_question_is_not_suggested(kb: KnowledgeBase) -> None:
    for text in ("今天天气怎么样", "小区停车位怎么申请", "请问", "？？？", "the weather today"):
        assert await kb.good_matches(text) == [], text


async def test_a_retired_entry_is_no_longer_found_and_an_edit_is_reindexed(
        kb: KnowledgeBase) -> None:
    entry = (await kb.search("遗嘱见证人"))[0].entry
    await kb.repository.change(entry.id, status=KbStatus.RETIRED)
    assert [h.entry.id for h in await kb.search("遗嘱见证人")] == []
    await kb.repository.change(entry.id, status=KbStatus.PUBLISHED)
    edited = kb.new_entry("legal", "自书遗嘱有什么要求？", "须本人亲笔书写并签名")
    await kb.repository.change(entry.id, question=edited.question,
                               question_tokens=edited.question_tokens,
                               answer_tokens=edited.answer_tokens, answer=edited.answer)
    assert (await kb.search("亲笔写的遗嘱要求"))[0].entry.id == entry.id


async def test_export_writes_what_import_reads(kb: KnowledgeBase) -> None:
    exported = await kb.export_csv()
    rows = parse_entries_csv(exported)
    assert [r.question for r in rows] == [r.question for r in parse_entries_csv(ENTRIES_CSV)]
    assert rows[0].answer.startswith("按照<b>专款专用</b>原则")  # Telegram formatting kept


async def test_a_bad_file_is_refused_whole_naming_the_line(database: Database) -> None:
    base = build_knowledge_base(database, SEGMENTER)
    bad = ENTRIES_CSV + "legal,,没有问题的答案\n"
    with pytest.raises(KbFileError, match="line 7: the question is empty"):
        await base.import_csv(bad)
    assert await base.repository.count([KbStatus.PUBLISHED]) == 0
    with pytest.raises(KbFileError, match="line 1: the columns must be category,question"):
        await base.import_csv("question,answer\nx,y\n")
    with pytest.raises(KbFileError, match="line 3: the same question as line 2"):
        await base.import_csv("category,question,answer\na,q,x\nb,q,y\n")
    with pytest.raises(KbFileError, match="line 2: expected 3 values, found 2"):
        await base.import_csv("category,question,answer\na,q\n")


async def test_an_answer_keeps_telegram_tags_only(database: Database) -> None:
    base = build_knowledge_base(database, SEGMENTER)
    await base.import_csv('category,question,answer\na,脚本,"<b>粗</b><script>x</script>"\n')
    entry = (await base.search("脚本"))[0].entry
    assert entry.answer == "<b>粗</b>&lt;script&gt;x&lt;/script&gt;"
