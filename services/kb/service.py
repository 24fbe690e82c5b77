"""The knowledge base: the one front door for the bot, the console and the CLI."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.announcements.typed_markup import telegram_html
from services.kb.common_words import WordCounts, rarest
from services.kb.entries_csv import (
    MAX_ANSWER,
    MAX_CATEGORY,
    MAX_QUESTION,
    EntryRow,
    entries_csv,
    parse_entries_csv,
)
from services.kb.figures import KbFigures, figures_between
from services.kb.matching import Matcher
from services.kb.redaction import redact
from services.kb.segmenter import WORD, Segmenter
from storage.models import KbEntry, KbStatus, utcnow
from storage.repositories.kb import KbRepository, KbSuggestionRepository

MAX_QUERY = 500
# Ranked by the index, then scored (services/kb/matching.py); 20 find the labelled set's
# entries as well as 40 did, at half the scoring time.
CANDIDATES = 20
# A score at or above this "matches well": suggested in /ask, marked in /faq. Set on the
# labelled set in bench/kb_questions.csv (make bench ONLY=kb).
GOOD_MATCH = 0.4
MAX_SUGGESTIONS = 3
RELATED = 0.3
FAQ_RESULTS = 5
SYNONYMS_FRESH_SECONDS = 60  # the CLI may add synonyms from another process
log = logging.getLogger(__name__)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Hit:
    entry: KbEntry
    score: float


ATTACHMENT_KINDS = ("photo", "document")
MAX_ATTACHMENTS = 5


def attachments_of(entry: KbEntry) -> list[tuple[str, str]]:
    """The entry's photos and documents as (kind, file_id), as they are sent when read."""
    if not entry.attachments:
        return []
    return [(item["kind"], item["file_id"]) for item in json.loads(entry.attachments)
            if item.get("kind") in ATTACHMENT_KINDS and item.get("file_id")]


def plain_text(answer_html: str) -> str:
    return html.unescape(_TAG.sub(" ", answer_html))


class KnowledgeBase:
    def __init__(self, repository: KbRepository, suggestions: KbSuggestionRepository,
                 segmenter: Segmenter, good_match: float = GOOD_MATCH) -> None:
        self.repository = repository
        self.suggestions = suggestions
        self._segmenter = segmenter
        self.good_match = good_match
        self._matcher: Matcher | None = None
        self._synonyms: dict[str, list[str]] = {}
        self._matcher_at = 0.0
        self._word_counts = WordCounts(repository.word_counts)
        self.proposals = Proposals(self)

    def warm_up(self) -> float:
        """Loads the segmenter's dictionary (in a thread at start); returns the seconds taken."""
        started = time.perf_counter()
        self._segmenter.warm_up()
        took = time.perf_counter() - started
        log.info("knowledge base: word segmentation ready in %.2f s", took)
        return took

    async def _current_matcher(self) -> Matcher:
        if not self._segmenter.ready:
            # Waits for the dictionary (loading in a thread since start) off the event loop.
            await asyncio.to_thread(self._segmenter.warm_up)
        if self._matcher is None or time.monotonic() - self._matcher_at > SYNONYMS_FRESH_SECONDS:
            synonyms = await self.repository.synonyms()
            # The same synonyms keep the same matcher, and with it its cache of the entries'
            # segmented questions (cutting 40 candidates' questions again costs every search).
            if self._matcher is None or synonyms != self._synonyms:
                self._matcher = Matcher(self._segmenter, synonyms)
                self._synonyms = synonyms
            self._matcher_at = time.monotonic()
        return self._matcher

    async def ready(self) -> None:
        """Segmentation is loaded, with the synonyms as whole words (before anything is
        indexed: new_entry segments synchronously)."""
        await self._current_matcher()

    def _tokens(self, question: str, answer_html: str) -> tuple[str, str]:
        return (" ".join(self._segmenter.index_words(question)),
                " ".join(self._segmenter.index_words(plain_text(answer_html))))

    def new_entry(self, category: str, question: str, answer: str, **values: object) -> KbEntry:
        answer = telegram_html(answer)
        question_tokens, answer_tokens = self._tokens(question, answer)
        return KbEntry(category=category, question=question, answer=answer,
                       question_tokens=question_tokens, answer_tokens=answer_tokens,
                       **values)

    async def import_csv(self, content: str, approved_by: int | None = None) -> int:
        """Adds every entry of the file, published, or none (KbFileError names the line)."""
        rows = parse_entries_csv(content)
        await self._current_matcher()  # synonyms are whole words in the index too
        now = utcnow()
        entries = [self.new_entry(r.category, r.question, r.answer,
                                  status=KbStatus.PUBLISHED, approved_by=approved_by,
                                  approved_at=now, reviewed_at=now) for r in rows]
        added = len(await self.repository.add_many(entries))
        self._word_counts.expire()
        return added

    async def export_csv(self) -> str:
        entries = await self.repository.listing([KbStatus.PUBLISHED], limit=1_000_000)
        return entries_csv([EntryRow(e.category, e.question, e.answer) for e in entries])

    async def search(self, text: str, limit: int = 5) -> list[Hit]:
        """The best published entries for a question, best first, each with a 0..1 score."""
        matcher = await self._current_matcher()
        query = matcher.query(text[:MAX_QUERY])
        if not query.concepts:
            return []
        counts = await self._word_counts.current()
        found = await self.repository.candidates(rarest(query.alternatives, counts),
                                                 CANDIDATES)
        scored = [(matcher.score(query, entry.question, entry.question_tokens,
                                 entry.answer_tokens), rank, entry) for entry, rank in found]
        scored.sort(key=lambda item: (-item[0], -item[1]))
        return [Hit(entry, score) for score, _, entry in scored[:limit]]

    async def good_matches(self, text: str) -> list[Hit]:
        """What /ask suggests: up to three entries that match well, or nothing."""
        return [h for h in await self.search(text, MAX_SUGGESTIONS) if h.score >= self.good_match]

    async def related(self, text: str) -> list[Hit]:
        """What /faq and the console list: looser than a suggestion, since the person chose to
        search and reads the list themselves."""
        return [h for h in await self.search(text, FAQ_RESULTS) if h.score >= RELATED]

    async def entry(self, entry_id: int) -> KbEntry | None:
        """Any entry, whatever its state (the staff's review pages)."""
        return await self.repository.get(entry_id)

    async def entries(self, statuses: Sequence[str], limit: int = 1000) -> list[KbEntry]:
        """Entries in these states (proposals waiting, the published list)."""
        return await self.repository.listing(statuses, limit)

    async def count(self, statuses: Sequence[str]) -> int:
        return await self.repository.count(statuses)

    async def published(self, entry_id: int) -> KbEntry | None:
        entry = await self.repository.get(entry_id)
        return entry if entry is not None and entry.status == KbStatus.PUBLISHED else None

    async def suggest(self, asker_id: int, hits: Sequence[Hit]) -> int:
        """Records what /ask shows the asker (each entry's shown count goes up)."""
        return await self.suggestions.create(asker_id, [h.entry.id for h in hits
                                                        if h.entry.id is not None])

    async def self_served(self, asker_id: int, suggestion_id: int, entry_id: int) -> bool:
        """"This answers my question": once, by the asker, for an entry they were shown."""
        return await self.suggestions.decide(suggestion_id, asker_id, "self_served",
                                             entry_id) is not None

    async def wants_expert(self, asker_id: int, suggestion_id: int) -> bool:
        return await self.suggestions.decide(suggestion_id, asker_id, "expert") is not None

    def linker(self, suggestion_id: int) -> Callable[[int], Awaitable[None]]:
        """Links the case opened after the suggestions, so its expert sees them."""
        async def link(case_id: int) -> None:
            await self.suggestions.link_case(suggestion_id, case_id)
        return link

    async def figures(self, first: datetime, last: datetime) -> KbFigures:
        return await figures_between(self.repository, self.suggestions, first, last)

    async def synonyms(self) -> dict[str, list[str]]:
        return await self.repository.synonyms()

    async def add_synonyms(self, group_key: str, terms: Sequence[str]) -> list[str]:
        cleaned = [t.strip().lower() for t in terms if t.strip()]
        if not WORD.fullmatch(group_key) or len(group_key) > 32 or len(cleaned) < 1 or \
                any(not WORD.fullmatch(t) or len(t) > 32 for t in cleaned):
            raise ValueError("a group key and words of letters or digits, 32 at most each")
        await self.repository.put_synonyms(group_key, cleaned)
        self._matcher = None
        return cleaned


@dataclass(frozen=True, slots=True)
class CaseForProposal:
    """What the hotline hands over when an expert proposes a closed case."""

    case_id: int
    category: str
    expert_id: int
    question: str  # the asker's messages, joined
    answer: str  # the expert's messages, joined
    asker_names: tuple[str, ...]
    organisations: tuple[str, ...]
    # (kind, file_id) of the photos and documents the expert sent; the asker's are left out,
    # since a picture may show exactly the personal details an entry must not carry.
    attachments: tuple[tuple[str, str], ...] = ()


class Proposals:
    """Closed cases proposed by their expert; staff approve (maybe edited) or drop them."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb

    async def propose(self, case: CaseForProposal) -> KbEntry | None:
        """Stores the redacted proposal, once per case; None when it was proposed before or
        has nothing to propose."""
        if not case.question.strip() or not case.answer.strip():
            return None
        if await self._kb.repository.for_case(case.case_id) is not None:
            return None
        await self._kb.ready()
        question = redact(case.question, case.asker_names, case.organisations)
        answer = redact(case.answer, case.asker_names, case.organisations)
        kept = [{"kind": kind, "file_id": file_id}
                for kind, file_id in case.attachments if kind in ATTACHMENT_KINDS]
        entry = self._kb.new_entry(case.category, question[:MAX_QUESTION],
                                   html.escape(answer[:MAX_ANSWER], quote=False),
                                   status=KbStatus.PROPOSED, source_case_id=case.case_id,
                                   proposed_by=case.expert_id,
                                   attachments=json.dumps(kept[:MAX_ATTACHMENTS])
                                   if kept else None)
        await self._kb.repository.add_many([entry])
        return entry

    async def approve(self, entry_id: int, staff_id: int | None, *, question: str | None = None,
                      answer: str | None = None, category: str | None = None) -> KbEntry | None:
        """Publishes a proposal, with staff's edits; None when it is not waiting any more."""
        for name, value, limit in (("category", category, MAX_CATEGORY),
                                   ("question", question, MAX_QUESTION),
                                   ("answer", answer, MAX_ANSWER)):
            if value is not None and not (0 < len(value.strip()) <= limit):
                raise ValueError(f"the {name} must have 1 to {limit} characters")
        current = await self._kb.repository.get(entry_id)
        if current is None or current.status != KbStatus.PROPOSED:
            return None
        await self._kb.ready()
        edited = self._kb.new_entry(category or current.category, question or current.question,
                                    answer or current.answer)
        now = utcnow()
        return await self._kb.repository.change(
            entry_id, expected_status=KbStatus.PROPOSED, status=KbStatus.PUBLISHED,
            category=edited.category, question=edited.question, answer=edited.answer,
            question_tokens=edited.question_tokens, answer_tokens=edited.answer_tokens,
            approved_by=staff_id, approved_at=now, reviewed_at=now)

    async def edit(self, entry_id: int, *, category: str, question: str,
                   answer: str) -> KbEntry | None:
        """Staff's edit of a published entry (it counts as reviewed now)."""
        current = await self._kb.repository.get(entry_id)
        if current is None or current.status != KbStatus.PUBLISHED:
            return None
        await self._kb.ready()
        edited = self._kb.new_entry(category, question, answer)
        return await self._kb.repository.change(
            entry_id, expected_status=KbStatus.PUBLISHED, category=edited.category,
            question=edited.question, answer=edited.answer,
            question_tokens=edited.question_tokens, answer_tokens=edited.answer_tokens,
            reviewed_at=utcnow())

    async def retire(self, entry_id: int) -> KbEntry | None:
        return await self._kb.repository.change(entry_id, status=KbStatus.RETIRED)
