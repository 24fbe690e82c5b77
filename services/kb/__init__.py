"""The knowledge base (issue 16): entries, Chinese search, suggestions in /ask, proposals."""

from __future__ import annotations

from services.kb.segmenter import Segmenter
from services.kb.service import KnowledgeBase
from storage.db import Database
from storage.repositories.kb import KbRepository, KbSuggestionRepository


def build_knowledge_base(database: Database, segmenter: Segmenter | None = None) -> KnowledgeBase:
    return KnowledgeBase(KbRepository(database), KbSuggestionRepository(database),
                         segmenter or Segmenter())
