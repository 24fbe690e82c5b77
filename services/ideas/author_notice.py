"""What an idea's author is told when staff publish a change, in the author's language.

The bot's review buttons and the web console both tell authors through this, so the message
is the same whichever way staff worked.
"""

from __future__ import annotations

from typing import Any

from services.ideas.service import IdeaService
from services.people import PeopleService
from services.texts import Texts
from storage.models import Idea


async def author_locale(people: PeopleService, texts: Texts, idea: Idea) -> str:
    """The language the author reads: their own choice, else the bot's default."""
    person = await people.get(idea.author_id)
    return person.locale if person is not None else texts.default_locale


async def author_notice(ideas: IdeaService, people: PeopleService, texts: Texts, idea: Idea,
                        key: str | None = None, **values: Any) -> str:
    """The published status and answer (or the text `key`), in the author's language."""
    locale = await author_locale(people, texts, idea)
    if key is not None:
        return texts.html(locale, key, **values)
    names = await ideas.status_names(locale)
    return texts.render(locale, "ideas_notice", reference=idea.reference, title=idea.title,
                        status=names.get(idea.published_status, idea.published_status),
                        answer=idea.published_answer)
