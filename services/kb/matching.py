"""How well an entry answers a question: a score from 0 to 1, so one threshold can decide
"matches well" for every query.

The index's own rank (BM25, ts_rank) orders the candidates but is not comparable between
queries (it grows with the query's length and the words' rarity in our base), so it cannot
carry a threshold. The score here is the share of the question's meaning the entry covers,
each word weighted by its rarity in general Chinese (jieba's dictionary), blended with the
share of the entry's own question that the asker's words cover (a long entry that only
shares one word with the question scores low).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from services.kb.segmenter import Segmenter

QUERY_SHARE = 0.65  # the rest is the entry's side
IN_ANSWER = 0.5  # a word found only in the answer counts half
IN_PARTS = 0.6  # a long word found only as its parts (项目经费 → 项目, 经费)


@dataclass(frozen=True, slots=True)
class Concept:
    word: str
    weight: float
    alternatives: tuple[tuple[str, ...], ...]  # each: words that must all occur
    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Query:
    concepts: tuple[Concept, ...]
    vocabulary: frozenset[str]  # every word the asker's question could be matched on

    @property
    def alternatives(self) -> list[tuple[str, ...]]:
        found: dict[tuple[str, ...], None] = {}
        for concept in self.concepts:
            for alternative in concept.alternatives:
                found.setdefault(alternative, None)
        return list(found)


class Matcher:
    def __init__(self, segmenter: Segmenter, synonym_groups: Mapping[str, Sequence[str]]) -> None:
        self._segmenter = segmenter
        self._synonyms: dict[str, tuple[str, ...]] = {}
        for terms in synonym_groups.values():
            lowered = tuple(t.lower() for t in terms)
            for term in lowered:
                self._synonyms[term] = lowered
        segmenter.add_words(set(self._synonyms))
        self._question_words = lru_cache(maxsize=50_000)(segmenter.query_words)

    def query(self, text: str) -> Query:
        concepts = []
        vocabulary = set(self._segmenter.index_words(text))
        for word in self._segmenter.query_words(text):
            alternatives = [(word,)]
            for synonym in self._synonyms.get(word, ()):
                if synonym != word:
                    alternatives.append(tuple(self._segmenter.parts(synonym)))
            parts = tuple(p for p in self._segmenter.index_words(word) if p != word)
            if not word.isascii() and len(word) >= 3:
                alternatives.extend((p,) for p in parts if len(p) > 1)
            for alternative in alternatives:
                vocabulary.update(alternative)
            concepts.append(Concept(word, self._segmenter.weight(word), tuple(alternatives), parts))
        return Query(tuple(concepts), frozenset(vocabulary))

    def score(self, query: Query, question: str, question_tokens: str,
              answer_tokens: str) -> float:
        if not query.concepts:
            return 0.0
        in_question = set(question_tokens.split())
        in_answer = set(answer_tokens.split())
        covered = total = 0.0
        for concept in query.concepts:
            total += concept.weight
            covered += concept.weight * _coverage(concept, in_question, in_answer)
        query_side = covered / total
        own_words = self._question_words(question)
        weight = self._segmenter.weight
        own_total = sum(weight(w) for w in own_words)
        own_covered = sum(weight(w) for w in own_words if self._known(w, query))
        entry_side = own_covered / own_total if own_total else 0.0
        return round(QUERY_SHARE * query_side + (1 - QUERY_SHARE) * entry_side, 4)

    def _known(self, word: str, query: Query) -> bool:
        if word in query.vocabulary:
            return True
        return any(s in query.vocabulary for s in self._synonyms.get(word, ()))


def _coverage(concept: Concept, in_question: set[str], in_answer: set[str]) -> float:
    exact = concept.alternatives[: 1 + _synonym_count(concept)]
    if any(all(w in in_question for w in alt) for alt in exact):
        return 1.0
    if any(all(w in in_answer for w in alt) for alt in exact):
        return IN_ANSWER
    long_parts = [p for p in concept.parts if len(p) > 1]
    if long_parts:
        found = sum(1 for p in long_parts if p in in_question)
        return IN_PARTS * found / len(long_parts)
    return 0.0


def _synonym_count(concept: Concept) -> int:
    parts = {(p,) for p in concept.parts}
    return sum(1 for alt in concept.alternatives[1:] if alt not in parts)
