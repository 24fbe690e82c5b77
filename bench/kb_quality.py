"""The knowledge base's labelled set (bench/data): domain questions with paraphrases, and
unrelated questions; shared by `make bench ONLY=kb` and tests/test_kb_quality.py."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from services.kb.service import KnowledgeBase

DATA = Path(__file__).with_name("data")
ENTRIES = DATA / "kb_entries.csv"
QUERIES = DATA / "kb_queries.csv"


@dataclass
class Quality:
    in_top_three: int = 0
    paraphrases: int = 0
    silent: int = 0
    unrelated: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.in_top_three / self.paraphrases

    @property
    def silence(self) -> float:
        return self.silent / self.unrelated


def labelled_queries() -> list[tuple[str, str]]:
    with QUERIES.open(encoding="utf-8") as f:
        return [(row["query"], row["expected_question"]) for row in csv.DictReader(f)]


async def measure(kb: KnowledgeBase) -> Quality:
    """A paraphrase counts when its entry is among the (at most three) suggestions; an
    unrelated question when nothing is suggested."""
    quality = Quality()
    for query, expected in labelled_queries():
        suggested = [hit.entry.question for hit in await kb.good_matches(query)]
        if expected:
            quality.paraphrases += 1
            if expected in suggested:
                quality.in_top_three += 1
            else:
                quality.misses.append(f"{query} → {suggested[:1]} (wanted {expected})")
        else:
            quality.unrelated += 1
            if not suggested:
                quality.silent += 1
            else:
                quality.misses.append(f"{query} → {suggested[:1]} (wanted nothing)")
    return quality
