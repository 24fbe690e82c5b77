"""What an idea's author is told when staff publish a change, in the author's language.

IdeaService's staff doors tell authors through this, so the message is the same whichever
way staff worked (the bot's review buttons, the web console).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from services.people import PeopleService
from services.texts import Texts
from storage.models import Idea


class StatusNames(Protocol):
    """What names the review statuses in a language (the idea service)."""

    async def status_names(self, locale: str) -> dict[str, str]: ...


async def author_locale(people: PeopleService, texts: Texts, idea: Idea) -> str:
    """The language the author reads: their own choice, else the bot's default."""
    person = await people.get(idea.author_id)
    return person.locale if person is not None else texts.default_locale


async def author_notice(ideas: StatusNames, people: PeopleService, texts: Texts, idea: Idea,
                        notice: Callable[[str], str] | None = None) -> str:
    """The published status and answer (or `notice`, made for a locale), in the author's
    language."""
    locale = await author_locale(people, texts, idea)
    if notice is not None:
        return notice(locale)
    names = await ideas.status_names(locale)
    return texts.render(locale, "ideas_notice", reference=idea.reference, title=idea.title,
                        status=names.get(idea.published_status, idea.published_status),
                        answer=idea.published_answer)
