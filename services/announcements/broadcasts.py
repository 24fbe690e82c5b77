"""Publishing an announcement: the front doors (announce, stop), the outbox rows, what each
recipient sees, progress."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from markupsafe import Markup

from services.actors import Actor, record_action
from services.announcements.media_upload import MediaUploader
from services.audit import AuditLog
from services.audit_entries import announcement_cancelled, announcement_published
from services.delivery.engine import DeliveryEngine
from services.delivery.protocol import Outcome, OutgoingMessage, Progress
from services.people import PeopleService
from services.refusals import Refused
from services.texts import Texts
from storage.models import utcnow
from storage.repositories.announcements import (
    AnnouncementRecord,
    AnnouncementRepository,
    Audience,
)
from storage.repositories.outbox import OutboxRepository, Recipient

if TYPE_CHECKING:  # history.py reads this module's CAMPAIGN_KIND
    from services.announcements.history import AnnouncementHistory

log = logging.getLogger(__name__)

# AnnouncementRecord (imported above) is handed out from here too: the console's pages type
# with it and never import a repository (tests/test_architecture.py).

CAMPAIGN_KIND = "announcement"
SCHEDULED, SENDING, DONE, CANCELLED = "scheduled", "sending", "done", "cancelled"
# The button that stops a broadcast (handlers.announce answers it, after checking the role).
CANCEL_CALLBACK = "ann:stop:"
DETAIL_FIELDS = ("kind", "budget", "deadline", "eligibility", "contact")


class ProgressBoard(Protocol):
    """Where the composing staff member watches the broadcast (a Telegram message)."""

    async def show(self, chat_id: int, message_id: int | None, html: str,
                   buttons: list[tuple[str, str]]) -> int | None:
        """Edits message_id (or sends a new message when None) with these (label, callback
        data) buttons; returns the message id."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A composed announcement, as the composing dialog collected it."""

    author_id: int | None
    topic: str
    title: str
    body_html: str
    photo: str | None = None
    document: str | None = None
    link_url: str | None = None
    details: dict[str, str] | None = None
    roles: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()
    send_at: datetime | None = None  # None: now

    @classmethod
    def from_answers(cls, author_id: int | None, answers: dict[str, Any]) -> Draft:
        details = {f: answers[f] for f in DETAIL_FIELDS if answers.get(f)}
        send_at = answers.get("send_at")
        return cls(
            author_id=author_id, topic=answers["topic"], title=answers["title"],
            body_html=answers["body"], photo=answers.get("photo"),
            document=answers.get("document"), link_url=answers.get("link"),
            details=details or None, roles=frozenset(answers.get("roles") or ()),
            streets=frozenset(answers.get("streets") or ()),
            send_at=datetime.fromisoformat(send_at) if send_at else None,
        )

    @property
    def audience(self) -> Audience:
        kind = (self.details or {}).get("kind")
        return Audience(self.topic, self.roles, kind, self.streets)


class AnnouncementService:
    """Also the engine's CampaignSource for announcements."""

    def __init__(self, repository: AnnouncementRepository, outbox: OutboxRepository,
                 engine: DeliveryEngine, texts: Texts, people: PeopleService, *,
                 audit: AuditLog, paid: bool, timezone: str, board: ProgressBoard,
                 history: AnnouncementHistory, uploader: MediaUploader,
                 wake_at: Callable[[int, datetime], None] | None = None) -> None:
        """`board`: where the composer watches progress; `history`: the console's paged
        list; `uploader`: the console's attachments to Telegram file ids; `wake_at`: how to
        wake the sender at a scheduled time (the bot's APScheduler; None in a process that
        does not send, such as the CLI: the running bot's sender finds the rows when due)."""
        self._zone = ZoneInfo(timezone)
        self._repo = repository
        self._audit = audit
        self._people = people
        self._outbox = outbox
        self._engine = engine
        self._texts = texts
        self._paid = paid
        self._board = board
        self._wake_at = wake_at
        self.history = history
        self.uploader = uploader
        engine.register_source(CAMPAIGN_KIND, self)

    # -- composing ------------------------------------------------------------------------

    async def recipients(self, draft: Draft) -> list[Recipient]:
        return await self._repo.subscriptions.audience(draft.audience)

    async def count_recipients(self, draft: Draft) -> int:
        return len(await self.recipients(draft))

    async def render_draft(self, draft: Draft, locale: str) -> OutgoingMessage:
        return await self._message(draft.topic, draft.title, draft.body_html, draft.details or {},
                                   draft.photo, draft.document, draft.link_url, locale)

    # -- the front doors: the bot's /announce, the console's compose page and `hotline
    # announce` send, schedule and stop an announcement through these alone.

    async def announce(self, actor: Actor, draft: Draft, *,
                       progress_chat_id: int | None = None) -> AnnouncementRecord:
        """Sends the draft now or schedules it (draft.send_at), and writes the audit entry."""
        actor.require_staff()
        if draft.send_at is not None and draft.send_at <= utcnow():
            raise Refused("announce.error.past", field="send_at")
        record = await self.publish(draft, progress_chat_id)
        entry = announcement_published(record, scheduled=draft.send_at is not None)
        attachment = "photo" if draft.photo else "document" if draft.document else None
        await record_action(self._audit, actor, entry.action, entry.target,
                            {**entry.detail, "attachment": attachment})
        log.info("%s %s published announcement %s to %d recipients", actor.channel,
                 actor.telegram_id, record.id, record.recipients)
        return record

    async def stop(self, actor: Actor, announcement_id: int
                   ) -> tuple[AnnouncementRecord, Progress]:
        """Stops a scheduled or running announcement (what was sent stays sent); refused
        when it is unknown, finished or stopped already."""
        actor.require_staff()
        record = await self._repo.get(announcement_id)
        if record is None or not await self.cancel(announcement_id):
            raise Refused("announce.cannot_stop")
        progress = await self.progress(announcement_id)
        entry = announcement_cancelled(record, progress)
        await record_action(self._audit, actor, entry.action, entry.target, entry.detail)
        log.info("%s %s stopped announcement %s", actor.channel, actor.telegram_id,
                 announcement_id)
        return record, progress

    async def publish(self, draft: Draft, progress_chat_id: int | None = None
                      ) -> AnnouncementRecord:
        """Writes the announcement and one outbox row per recipient, then wakes the sender.
        No actor, no audit entry: the demo world and tests store announcements with it;
        people's actions come through `announce`."""
        recipients = await self._repo.subscriptions.audience(draft.audience)
        # Stored in UTC: SQLite keeps the wall-clock digits only, so every stored time is UTC.
        send_at = (draft.send_at or utcnow()).astimezone(UTC)
        # "Send now" is in the sender's hands at once: shown as sending, never as scheduled.
        now_values = {"state": SENDING, "started_at": send_at} if draft.send_at is None \
            else {"state": SCHEDULED}
        record = await self._repo.create(
            author_id=draft.author_id, topic=draft.topic, title=draft.title,
            body_html=draft.body_html, photo_file_id=draft.photo,
            document_file_id=draft.document, link_url=draft.link_url,
            details_json=_json(draft.details or {}), audience_json=draft.audience.to_json(),
            paid=self._paid, send_at=send_at, recipients=len(recipients),
            progress_chat_id=progress_chat_id, **now_values,
        )
        await self._outbox.enqueue(CAMPAIGN_KIND, record.id, recipients, not_before=send_at,
                                   paid=self._paid)
        if not recipients:
            await self._repo.move(record.id, [SCHEDULED, SENDING], DONE, finished_at=utcnow())
        log.info("announcement %s: %d recipients, from %s", record.id, len(recipients),
                 send_at.isoformat())
        self._engine.wake()
        if draft.send_at is not None and self._wake_at is not None:
            self._wake_at(record.id, send_at)
        await self.show_progress(record.id)
        return record

    async def cancel(self, announcement_id: int) -> bool:
        """Stops it: what was sent stays sent, the rest is not sent."""
        if not await self._repo.move(announcement_id, [SCHEDULED, SENDING], CANCELLED,
                                     finished_at=utcnow()):
            return False
        self._engine.stop_campaign(CAMPAIGN_KIND, announcement_id)
        await self._outbox.cancel(CAMPAIGN_KIND, announcement_id)
        await self._show(announcement_id, await self.progress(announcement_id))
        return True

    # -- reading --------------------------------------------------------------------------

    async def get(self, announcement_id: int) -> AnnouncementRecord | None:
        return await self._repo.get(announcement_id)

    async def latest(self, limit: int = 10) -> list[AnnouncementRecord]:
        return await self._repo.latest(limit)

    async def progress(self, announcement_id: int) -> Progress:
        return await self._engine.progress(CAMPAIGN_KIND, announcement_id)

    async def message_for(self, record: AnnouncementRecord, locale: str) -> OutgoingMessage:
        return await self._message(record.topic, record.title, record.body_html, record.details,
                                   record.photo_file_id, record.document_file_id,
                                   record.link_url, locale)

    async def scheduled_times(self) -> list[tuple[int, datetime]]:
        return await self._repo.scheduled_times()

    def report_html(self, record: AnnouncementRecord, progress: Progress, locale: str) -> str:
        return self._texts.render(
            locale, "announce_progress", record=record, p=progress,
            eta=_minutes(progress.seconds_left),
            when=record.send_at.astimezone(self._zone).strftime("%Y-%m-%d %H:%M"))

    async def show_progress(self, announcement_id: int) -> None:
        """Posts (or refreshes) the progress message in the composing staff member's chat."""
        await self._show(announcement_id, await self.progress(announcement_id))

    # -- the engine's CampaignSource ------------------------------------------------------

    async def render(self, campaign_id: int, locale: str) -> OutgoingMessage | None:
        record = await self._repo.get(campaign_id)
        if record is None or record.state in (CANCELLED,):
            return None
        if record.state == SCHEDULED:
            await self._repo.move(campaign_id, [SCHEDULED], SENDING, started_at=utcnow())
        return await self.message_for(record, locale)

    async def on_unreachable(self, chat_id: int, outcome: Outcome) -> None:
        await self._repo.subscriptions.mark_unreachable(chat_id, outcome.value)

    async def on_progress(self, campaign_id: int, progress: Progress) -> None:
        await self._show(campaign_id, progress)

    async def on_finished(self, campaign_id: int, progress: Progress) -> None:
        await self._repo.move(campaign_id, [SCHEDULED, SENDING], DONE, finished_at=utcnow())
        await self._show(campaign_id, progress)

    async def _show(self, campaign_id: int, progress: Progress) -> None:
        record = await self._repo.get(campaign_id)
        if record is None or record.progress_chat_id is None:
            return
        locale = await self._author_locale(record)
        buttons = []
        if record.state in (SCHEDULED, SENDING) and progress.remaining:
            buttons.append((self._texts.text(locale, "announce.stop_button"),
                            f"{CANCEL_CALLBACK}{record.id}"))
        message_id = await self._board.show(record.progress_chat_id, record.progress_message_id,
                                            self.report_html(record, progress, locale), buttons)
        if message_id is not None and message_id != record.progress_message_id:
            await self._repo.set_progress_message(campaign_id, record.progress_chat_id,
                                                  message_id)

    async def _author_locale(self, record: AnnouncementRecord) -> str:
        author = await self._people.get(record.author_id) if record.author_id else None
        return author.locale if author is not None else self._texts.default_locale

    # -- rendering ------------------------------------------------------------------------

    async def _message(self, topic_key: str, title: str, body_html: str, details: dict,
                       photo: str | None, document: str | None, link: str | None,
                       locale: str) -> OutgoingMessage:
        topics = {t.key: t for t in await self._repo.subscriptions.topics()}
        kinds = {k.key: k for k in await self._repo.subscriptions.kinds()}
        topic = topics.get(topic_key)
        kind = kinds.get(details.get("kind", ""))
        html = self._texts.render(
            locale, "announcement",
            topic=topic.label(locale) if topic else topic_key, title=title,
            # Produced by Telegram from the staff member's own formatting (entities), never
            # typed as markup: PTB escapes the text and writes only the tags entities imply.
            body=Markup(body_html),  # noqa: S704
            details=details, kind=kind.label(locale) if kind else details.get("kind"),
        )
        return OutgoingMessage(html=html, photo=photo, document=document, link_url=link,
                               link_label=self._texts.text(locale, "announce.link_button")
                               if link else None)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _minutes(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{secs:02d}"
