"""The labelled set of bench/data (55 domain questions with paraphrases, 30 unrelated ones):
a change to segmentation, synonyms or scoring that loses quality fails here. The bar is
looser than the benchmark's aim (0.9 both) so that one borderline case does not fail CI;
`make bench ONLY=kb` prints the figures on 10,000 entries."""

from __future__ import annotations

from pathlib import Path

from bench.kb_quality import ENTRIES, measure
from services.kb import build_knowledge_base
from storage.db import Database
from storage.migrate import upgrade_to_head


async def test_paraphrases_are_suggested_and_unrelated_questions_are_not(
        tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'kb.db'}")
    try:
        await upgrade_to_head(database)
        kb = build_knowledge_base(database)
        assert await kb.import_csv(ENTRIES.read_text(encoding="utf-8")) >= 50
        quality = await measure(kb)
    finally:
        await database.close()
    assert quality.paraphrases >= 50 and quality.unrelated >= 25
    assert quality.recall >= 0.85, quality.misses
    assert quality.silence >= 0.85, quality.misses
