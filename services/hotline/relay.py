"""The two-way relay: which case a message belongs to, copying it across, edits, mirroring.

A message goes to a case only when that is certain: the person has one active case, or
replied to a message of one, or (an expert) chose the active case with a button. Anything
else is answered with a question, never a guess; the message then waits in the database
(not memory) for the pick, which takes it exactly once.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from storage.models import Case, CaseMessage, CaseStatus, PendingPick, utcnow
from storage.repositories.hotline_picks import PendingPickRepository

RATE_WINDOW_SECONDS = 60.0
# A "which case?" question older than this is stale: its buttons no longer relay anything.
PICK_LIFETIME = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class Incoming:
    chat_id: int
    message_id: int
    kind: str
    text: str | None
    media_ref: str | None
    reply_to: int | None


@dataclass(slots=True)
class Routing:
    case: Case | None
    candidates: list[Case] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PickResult:
    result: str  # relay (the message, now taken), already (went to `number`), expired
    message: Incoming | None = None
    number: str | None = None


@dataclass(frozen=True, slots=True)
class RelayResult:
    result: str  # relayed, held, failed
    failure: str | None = None


class RelayService:
    def __init__(self, cases: CaseService, experts: ExpertService, per_minute: int,
                 picks: PendingPickRepository) -> None:
        self._cases = cases
        self._experts = experts
        self._per_minute = per_minute
        self._picks = picks
        self._recent: dict[int, deque[float]] = {}

    def within_rate(self, user_id: int) -> bool:
        """At most `per_minute` relayed messages a minute per person (kept in memory: a
        restart merely forgets the last minute)."""
        now = time.monotonic()
        recent = self._recent.setdefault(user_id, deque())
        while recent and now - recent[0] > RATE_WINDOW_SECONDS:
            recent.popleft()
        if len(recent) >= self._per_minute:
            return False
        recent.append(now)
        return True

    async def cases_of(self, user_id: int) -> list[Case]:
        return await self._cases.repository.active_of(user_id)

    async def route(self, user_id: int, reply_to: int | None) -> Routing:
        candidates = await self.cases_of(user_id)
        if not candidates:
            return Routing(None)
        if reply_to is not None:
            # A reply to a case card (the usual way to choose) needs no lookup.
            for case in candidates:
                if reply_to in _anchors(case, user_id):
                    return Routing(case, candidates)
            case_id = await self._cases.repository.case_of_message(user_id, reply_to)
            for case in candidates:
                if case.id == case_id:
                    return Routing(case, candidates)
        if len(candidates) == 1:
            return Routing(candidates[0], candidates)
        active = await self._experts.active_case(user_id)
        for case in candidates:
            if case.id == active and case.expert_id == user_id:
                return Routing(case, candidates)
        return Routing(None, candidates)

    async def await_pick(self, user_id: int, message: Incoming) -> None:
        """Keeps a message the bot asks "which case?" about, until its sender picks one."""
        await self._picks.add(PendingPick(
            user_id=user_id, chat_id=message.chat_id, message_id=message.message_id,
            kind=message.kind, text=message.text, media_ref=message.media_ref,
            reply_to=message.reply_to))

    async def take_pick(self, user_id: int, message_id: int, case: Case) -> PickResult:
        """The waiting message, for `case`; only the first pick of it gets it."""
        taken = await self._picks.take(user_id, message_id, case.id, utcnow() - PICK_LIFETIME)
        if taken is not None:
            return PickResult("relay", Incoming(
                taken.chat_id, taken.message_id, taken.kind, taken.text, taken.media_ref,
                taken.reply_to))
        known = await self._picks.get(user_id, message_id)
        if known is not None and known.case_id is not None:
            went_to = await self._cases.repository.get(known.case_id)
            if went_to is not None:
                return PickResult("already", number=went_to.number)
        return PickResult("expired")

    async def purge_picks(self, now: datetime) -> int:
        """Forgets "which case?" questions past their lifetime (the housekeeping job)."""
        return await self._picks.purge(now - PICK_LIFETIME)

    async def relay(self, user_id: int, case: Case, message: Incoming) -> RelayResult:
        repository = self._cases.repository
        from_asker = case.asker_id == user_id
        record = CaseMessage(
            case_id=case.id, sender_role="asker" if from_asker else "expert", sender_id=user_id,
            source_chat_id=message.chat_id, source_message_id=message.message_id,
            kind=message.kind, text=message.text, media_ref=message.media_ref)
        if case.status == CaseStatus.OFFERED or case.expert_id is None:
            # No one has taken the case yet: kept, and copied to whoever claims it.
            record.delivery = "held"
            await repository.add_message(record)
            self._cases.events.publish(case.id)
            await self._mirror(case, record)
            return RelayResult("held")
        target = case.expert_id if from_asker else case.asker_id
        anchor = case.expert_anchor_id if from_asker else case.asker_anchor_id
        reply_to = None
        if message.reply_to is not None and message.reply_to not in _anchors(case, user_id):
            reply_to = await repository.transcript.counterpart(case.id, message.chat_id,
                                                               message.reply_to)
            if reply_to is None:
                reply_to = await self._counterpart_of_copy(case, message, target)
        delivery = await self._cases.messenger.copy(target, message.chat_id, message.message_id,
                                                    reply_to=reply_to or anchor)
        record.target_chat_id = target
        record.target_message_id = delivery.message_id
        record.delivery = "delivered" if delivery.ok else "failed"
        await repository.add_message(record)
        self._cases.events.publish(case.id)
        if not from_asker and delivery.ok and case.first_answer_at is None:
            await repository.changes.mark_first_answer(case.id)
        await self._mirror(case, record)
        if not delivery.ok:
            return RelayResult("failed", delivery.failure)
        return RelayResult("relayed")

    async def _counterpart_of_copy(self, case: Case, message: Incoming,
                                   target: int) -> int | None:
        """A reply to a replayed history copy (after a take-over) keeps its thread: the
        message it shows, as it stands in the other side's chat."""
        assert message.reply_to is not None
        shown = await self._cases.repository.history.copied_message(case.id, message.chat_id,
                                                                    message.reply_to)
        if shown is None:
            return None
        if shown.source_chat_id == target:
            return shown.source_message_id
        if shown.target_chat_id == target:
            return shown.target_message_id
        return None

    async def _mirror(self, case: Case, record: CaseMessage) -> None:
        """A copy in the case's staff topic, so staff can follow and step in."""
        staff_chat = self._cases.staff_chat_id
        if staff_chat is None or case.staff_thread_id is None:
            return
        delivery = await self._cases.messenger.copy(
            staff_chat, record.source_chat_id, record.source_message_id,
            thread_id=case.staff_thread_id)
        if delivery.ok and record.id is not None:
            await self._cases.repository.transcript.update_message(record.id,
                                                        mirror_message_id=delivery.message_id)

    async def relay_edit(self, message: Incoming) -> bool:
        """Carries an edit to the copy (or, if it cannot be edited, sends it marked "edited").

        Returns False when the edited message was never part of a case."""
        repository = self._cases.repository
        original = await repository.transcript.original(message.chat_id, message.message_id)
        if original is None:
            # Perhaps still waiting for "which case?": the pick then relays the new words
            # (copyMessage copies the message as it is now). Private chat: chat id = user id.
            await self._picks.change_text(message.chat_id, message.message_id, message.text)
            return False
        version = await repository.transcript.last_version(message.chat_id, message.message_id) + 1
        record = CaseMessage(
            case_id=original.case_id, sender_role=original.sender_role,
            sender_id=original.sender_id, source_chat_id=message.chat_id,
            source_message_id=message.message_id, version=version, kind=original.kind,
            text=message.text, media_ref=original.media_ref,
            target_chat_id=original.target_chat_id, target_message_id=original.target_message_id,
            delivery=original.delivery)
        body = message.text or ""
        # A media message's words are its caption.
        text, caption = (None, body) if original.media_ref is not None else (body, None)
        if original.target_chat_id is not None and original.target_message_id is not None:
            resent = await self._carry_edit(original.target_chat_id, original.target_message_id,
                                            message, text, caption, case_id=original.case_id)
            record.target_message_id = resent or record.target_message_id
        for copy in await repository.history.copies_of(original.id):
            if copy.chat_id != message.chat_id:  # the history a new handler was shown
                await self._carry_edit(copy.chat_id, copy.message_id, message, text, caption,
                                       case_id=original.case_id, history=original.id)
        staff_chat = self._cases.staff_chat_id
        if original.mirror_message_id is not None and staff_chat is not None:
            case = await repository.get(original.case_id)
            await self._carry_edit(staff_chat, original.mirror_message_id, message, text,
                                   caption, case.staff_thread_id if case else None)
        await repository.add_message(record)
        self._cases.events.publish(original.case_id)
        return True

    async def _carry_edit(self, chat_id: int, copy_id: int, message: Incoming,
                          text: str | None, caption: str | None,
                          thread_id: int | None = None, *, case_id: int | None = None,
                          history: int | None = None) -> int | None:
        """Edits the copy; one that cannot be edited (too old, deleted...) gets a notice and
        the new version copied in full under it, so nothing is cut however long it is.
        Returns the id of that new copy, if one was sent."""
        messenger = self._cases.messenger
        if await messenger.edit_copy(chat_id, copy_id, text, caption):
            return None
        notice = await messenger.notify(chat_id, "hotline.relay.edited", thread_id=thread_id,
                                        reply_to=copy_id)
        copy = await messenger.copy(chat_id, message.chat_id, message.message_id,
                                    reply_to=copy_id, thread_id=thread_id)
        if case_id is not None and chat_id > 0:
            # A reply to the notice (or to a re-sent history copy) still finds its case.
            for sent in (notice.message_id, copy.message_id if history else None):
                if sent is not None:
                    await self._cases.repository.history.add_copy(case_id, chat_id, sent,
                                                                  history)
        return copy.message_id


def _anchors(case: Case, user_id: int) -> set[int]:
    """The case cards in this person's chat (each side has one)."""
    anchor = case.asker_anchor_id if case.asker_id == user_id else case.expert_anchor_id
    return {anchor} if anchor is not None else set()
