"""Which of a question's words the full-text index is asked for.

A word most entries hold (要求, 负责, 服务) tells them apart no better than no word at all,
yet every entry holding it has to be read and ranked by the index: with 10,000 entries one
such word made a search rank nearly all of them (PostgreSQL p99 over 40 ms in `make bench
ONLY=kb`). So the index is asked for the question's rarest alternatives only, as many as
together hold at most RANKED_ROWS entries (and always the rarest one, however common). The
common words still count where it matters: services/kb/matching.py scores every candidate
on all of the question's words.

This is the "common terms" idea of Lucene and Elasticsearch, with a budget of rows instead
of a frequency cut-off, so the work of one search stays bounded as the base grows. On the
labelled set it also finds one paraphrase more (53/55 instead of 52/55): the common words
no longer push the right entry out of the candidates.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

RANKED_ROWS = 1000
FRESH_SECONDS = 300  # counts move slowly; a word newer than them counts as rare (asked for)
log = logging.getLogger(__name__)

Alternative = tuple[str, ...]


def rarest(alternatives: Sequence[Alternative], counts: Mapping[str, int],
           budget: int | None = None) -> list[Alternative]:
    """The alternatives worth asking the index for, in their original order. An alternative
    whose words must all occur holds at most as many entries as its rarest word."""
    budget = RANKED_ROWS if budget is None else budget

    def holding(alternative: Alternative) -> int:
        return min((counts.get(word, 0) for word in alternative), default=0)

    chosen: set[Alternative] = set()
    spent = 0
    for alternative in sorted(alternatives, key=holding):
        entries = holding(alternative)
        if chosen and spent + entries > budget:
            continue
        chosen.add(alternative)
        spent += entries
    return [a for a in alternatives if a in chosen]


class WordCounts:
    """How many published entries hold each word: read at the first search (and after an
    import in this process), then again in the background every FRESH_SECONDS, so no search
    waits for a whole-index read (about 40 ms on PostgreSQL with 10,000 entries)."""

    def __init__(self, read: Callable[[], Awaitable[dict[str, int]]]) -> None:
        self._read = read
        self._counts: dict[str, int] | None = None
        self._read_at = 0.0
        self._refresh: asyncio.Task[None] | None = None

    async def current(self) -> Mapping[str, int]:
        if self._counts is None:
            self._counts = await self._read()
            self._read_at = time.monotonic()
        elif time.monotonic() - self._read_at > FRESH_SECONDS and self._refresh is None:
            self._refresh = asyncio.create_task(self._reread())
        return self._counts

    def expire(self) -> None:
        """Many entries came in at once (an import): the next search reads afresh."""
        self._counts = None

    async def _reread(self) -> None:
        try:
            self._counts = await self._read()
        except Exception:  # a failing read keeps the old counts; searches go on
            log.warning("knowledge base: word counts not refreshed", exc_info=True)
        finally:
            self._read_at = time.monotonic()
            self._refresh = None
