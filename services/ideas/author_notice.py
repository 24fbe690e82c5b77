"""What an idea's author is owed when staff decide (a newly published status and answer, or
"a duplicate of ..."), in the author's language, and the sending of it.

The notice is stored with the decision itself (IdeaEvent.notice, in the same transaction),
so neither a failed send nor a process killed right after the change loses it: the door
that made the change sends it at once where a bot runs, and the bot's check
(scheduler/ideas.py) sends whatever is still owed (a send that failed for now, a change made
at the command line, a claim left by a process that died). IdeaService's doors tell authors
through this, so the message is the same whichever way staff worked (the bot's review
buttons, the web console).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from services.people import PeopleService
from services.texts import Texts
from services.trainings.messenger import SendOutcome, TrainingMessenger
from storage.models import Idea, ReminderState, utcnow
from storage.repositories.idea_notices import IdeaNoticeRepository, OwedNotice

log = logging.getLogger(__name__)

PER_RUN = 200
# A claim older than this belongs to a process that died mid-send: the notice is taken again.
STALE_CLAIM = timedelta(minutes=10)
# A notice still not through after this long (Telegram failing, the network down for days)
# is given up as failed, with a warning, rather than tried every check for ever.
GIVE_UP_AFTER = timedelta(days=3)


class StatusNames(Protocol):
    """What names the review statuses in a language (the idea service)."""

    async def status_names(self, locale: str) -> dict[str, str]: ...


class IdeaLookup(Protocol):
    async def get(self, idea_id: int) -> Idea | None: ...


class Told(StrEnum):
    """What became of the word owed to an author of one decision."""

    NOTHING_OWED = "nothing_owed"
    SENT = "sent"
    LATER = "later"  # not through yet (or no bot here): kept and sent by the bot's check
    UNREACHABLE = "unreachable"  # the author blocked the bot or left Telegram


async def author_locale(people: PeopleService, texts: Texts, idea: Idea) -> str:
    """The language the author reads: their own choice, else the bot's default."""
    person = await people.get(idea.author_id)
    return person.locale if person is not None else texts.default_locale


async def author_notice(ideas: StatusNames, people: PeopleService, texts: Texts, idea: Idea,
                        notice: Callable[[str], str] | None = None,
                        status: str | None = None) -> str:
    """The published status (`status`, else the idea's published one) and answer (or
    `notice`, made for a locale), in the author's language."""
    locale = await author_locale(people, texts, idea)
    if notice is not None:
        return notice(locale)
    names = await ideas.status_names(locale)
    status = status or idea.published_status
    return texts.render(locale, "ideas_notice", reference=idea.reference, title=idea.title,
                        status=names.get(status, status), answer=idea.published_answer)


class AuthorNotices:
    """Sends the notices owed to authors, each claimed by one process first."""

    def __init__(self, notices: IdeaNoticeRepository, ideas: IdeaLookup,
                 statuses: StatusNames, people: PeopleService, texts: Texts,
                 messenger: TrainingMessenger) -> None:
        self._notices = notices
        self._ideas = ideas
        self._statuses = statuses
        self._people = people
        self._texts = texts
        self._messenger = messenger

    async def send_owed(self, idea_id: int | None = None) -> Told:
        """Sends what is owed (of one idea only, with `idea_id`); says how it went: SENT
        when everything went through, else the worst of LATER and UNREACHABLE."""
        now = utcnow()
        results: list[Told] = []
        for owed in await self._notices.owed(PER_RUN, now - STALE_CLAIM, idea_id):
            if not await self._notices.claim(owed.event_id, now, now - STALE_CLAIM):
                results.append(Told.LATER)  # another process is sending it
                continue
            results.append(await self._send(owed))
        if not results:
            return Told.NOTHING_OWED
        for worst in (Told.LATER, Told.UNREACHABLE):
            if worst in results:
                return worst
        return Told.SENT

    async def _send(self, owed: OwedNotice) -> Told:
        html = await self._render(owed)
        if html is None:  # the idea (or the original it duplicates) is gone
            await self._notices.finish(owed.event_id, ReminderState.DROPPED)
            return Told.UNREACHABLE
        outcome = await self._messenger.send(owed.author_id, html)
        if outcome == SendOutcome.SENT:
            await self._notices.finish(owed.event_id, ReminderState.SENT)
            return Told.SENT
        if outcome == SendOutcome.UNREACHABLE:
            log.info("idea notice %s: the author %s is unreachable", owed.event_id,
                     owed.author_id)
            await self._notices.finish(owed.event_id, ReminderState.DROPPED)
            return Told.UNREACHABLE
        if utcnow() - owed.created_at > GIVE_UP_AFTER:
            log.warning("idea notice %s to %s given up: not through in %s", owed.event_id,
                        owed.author_id, GIVE_UP_AFTER)
            await self._notices.finish(owed.event_id, ReminderState.FAILED)
            return Told.UNREACHABLE
        log.warning("idea notice %s to %s did not get through; the next check tries again",
                    owed.event_id, owed.author_id)
        await self._notices.finish(owed.event_id, ReminderState.PENDING)
        return Told.LATER

    async def _render(self, owed: OwedNotice) -> str | None:
        idea = await self._ideas.get(owed.idea_id)
        if idea is None:
            return None
        if owed.kind != "duplicate":
            return await author_notice(self._statuses, self._people, self._texts, idea,
                                       status=owed.status)
        original = (await self._ideas.get(owed.original_id)
                    if owed.original_id is not None else None)
        if original is None:
            return None

        def duplicate(locale: str) -> str:
            return self._texts.html(locale, "ideas.notice.duplicate", reference=idea.reference,
                                    original=original.reference, title=original.title)

        return await author_notice(self._statuses, self._people, self._texts, idea, duplicate)
