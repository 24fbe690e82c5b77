"""Canned replies: a shared library per category that staff curate, and each expert's own.

Placeholders are filled from the case when a reply is used: {name} the asker's name,
{number} the case number, {category} its category and {expert} the alias the asker knows
the expert by, each in the asker's language. An unknown placeholder stays as typed, so a
typo shows rather than failing.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from storage.models import Case, Snippet
from storage.models.workspace import SNIPPET_BODY_LIMIT, SNIPPET_TITLE_LIMIT
from storage.repositories.hotline_notes import SnippetRepository

PLACEHOLDERS = ("name", "number", "category", "expert")


class SnippetRefused(Exception):
    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True, slots=True)
class Filled:
    snippet: Snippet
    text: str


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Snippets:
    def __init__(self, repository: SnippetRepository, cases: CaseService,
                 experts: ExpertService) -> None:
        self.repository = repository
        self._cases = cases
        self._experts = experts

    async def get(self, snippet_id: int) -> Snippet | None:
        return await self.repository.get(snippet_id)

    async def library(self, person_id: int) -> list[Snippet]:
        """The person's own snippets and the shared ones of their categories (/snippets)."""
        return await self.repository.library(person_id)

    async def fill(self, body: str, case: Case) -> str:
        asker = await self._cases.person_name(case.asker_id)
        locale = await self._cases.locale_of(case.asker_id)
        category = await self._experts.category(case.category)
        alias_zh, alias_en = await self._cases.aliases(case.expert_id)
        values = _Values(
            name=asker, number=case.number,
            category=(category.name_en if locale == "en" else category.name_zh)
            if category else case.category,
            expert=alias_en if locale == "en" else alias_zh)
        try:
            return string.Formatter().vformat(body, (), values)
        except (ValueError, IndexError, AttributeError, KeyError):
            return body  # stray braces: the text as written

    async def for_case(self, case: Case, person_id: int) -> list[Filled]:
        return [Filled(s, await self.fill(s.body, case))
                for s in await self.repository.usable(case.category, person_id)]

    async def add(self, person_id: int, is_staff: bool, *, shared: bool,
                  category: str | None, title: str, body: str) -> Snippet:
        title, body = title.strip(), body.strip()
        if not title or not body:
            raise SnippetRefused("empty")
        if len(title) > SNIPPET_TITLE_LIMIT or len(body) > SNIPPET_BODY_LIMIT:
            raise SnippetRefused("too_long", limit=SNIPPET_BODY_LIMIT)
        if shared and not is_staff:
            raise SnippetRefused("staff_only")
        if shared and (category is None or await self._experts.category(category) is None):
            raise SnippetRefused("category")
        return await self.repository.add(category if shared else None,
                                         None if shared else person_id, title, body)

    async def remove(self, snippet_id: int, person_id: int, is_staff: bool) -> None:
        snippet = await self.repository.get(snippet_id)
        if snippet is None:
            raise SnippetRefused("gone")
        if snippet.owner_id != person_id and not (snippet.owner_id is None and is_staff):
            raise SnippetRefused("staff_only")
        await self.repository.remove(snippet_id)
