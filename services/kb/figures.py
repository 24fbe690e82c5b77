"""The knowledge base's figures for a period: what the weekly report and the console show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from storage.repositories.kb import KbRepository, KbSuggestionRepository

TOP = 3


@dataclass(frozen=True, slots=True)
class RankedEntry:
    entry_id: int
    question: str
    count: int


@dataclass(frozen=True, slots=True)
class KbFigures:
    suggested: int  # questions for which /ask showed entries
    self_served: int  # ... and that ended with "this answers my question"
    to_expert: int  # ... and that went on to an expert
    most_helpful: list[RankedEntry] = field(default_factory=list)
    most_rejected: list[RankedEntry] = field(default_factory=list)

    @property
    def acceptance(self) -> float | None:
        """Self-served among the decided suggestions (None when none was decided)."""
        decided = self.self_served + self.to_expert
        return self.self_served / decided if decided else None


async def figures_between(entries: KbRepository, suggestions: KbSuggestionRepository,
                          first: datetime, last: datetime) -> KbFigures:
    rows = await suggestions.decided_between(first, last)
    helpful: Counter[int] = Counter()
    rejected: Counter[int] = Counter()
    for outcome, ids, chosen in rows:
        if outcome == "self_served" and chosen is not None:
            helpful[chosen] += 1
        elif outcome == "expert":
            rejected.update(int(i) for i in ids.split(",") if i)
    top_helpful, top_rejected = helpful.most_common(TOP), rejected.most_common(TOP)
    known = await entries.get_many([i for i, _ in top_helpful + top_rejected])

    def ranked(pairs: list[tuple[int, int]]) -> list[RankedEntry]:
        return [RankedEntry(i, known[i].question, n) for i, n in pairs if i in known]

    return KbFigures(len(rows), sum(1 for o, _, _ in rows if o == "self_served"),
                     sum(1 for o, _, _ in rows if o == "expert"),
                     ranked(top_helpful), ranked(top_rejected))
