"""What a person does on a case from the console, through the same services as the bot's
buttons and chat: answer a case, add an internal note (claiming, closing and handing on go
through the case doors, services/hotline/case_actions.py).

An answer typed in the console is first posted in the answerer's own chat with the bot (so
their Telegram chat keeps the whole conversation), then that message goes through the relay
exactly as one they typed there: copied to the asker under the case card that names the
expert's alias, mirrored in the staff topic, recorded once in the transcript.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.announcements.media_upload import Attachment
from services.hotline.cases import CaseService
from services.hotline.relay import Incoming, RelayResult, RelayService
from services.refusals import Refused
from storage.models import Case, CaseStatus
from storage.models.workspace import NOTE_LIMIT
from storage.repositories.hotline_notes import CaseNoteRepository

# As long as Telegram allows a text message; a longer answer is refused, never cut.
MAX_ANSWER = 4096
MAX_CAPTION = 1024  # the words under a photo or a file


@dataclass(frozen=True, slots=True)
class Answered:
    case: Case
    result: RelayResult


class CaseWork:
    def __init__(self, cases: CaseService, relay: RelayService,
                 notes: CaseNoteRepository) -> None:
        self._cases = cases
        self._relay = relay
        self._notes = notes
        # One answer at a time per case in this process: two tabs sending at once keep
        # the order in which they arrived here, on both sides.
        self._locks: dict[int, asyncio.Lock] = {}

    async def _case(self, number: str) -> Case:
        case = await self._cases.repository.by_number(number.strip().upper())
        if case is None:
            raise Refused("console_workspace.refused.no_case")
        return case

    async def held(self, number: str, person_id: int) -> Case:
        """The case, if `person_id` answers it and it is open (as the bot's Close checks)."""
        case = await self._case(number)
        if case.status != CaseStatus.OPEN:
            raise Refused("console_workspace.refused.not_open", number=case.number)
        if case.expert_id != person_id:
            raise Refused("console_workspace.refused.not_yours", number=case.number)
        return case

    async def answer(self, number: str, person_id: int, text: str,
                     attachment: Attachment | None = None) -> Answered:
        """Sends words, or a photo or a file with words under it, to the asker."""
        text = text.strip()
        if not text and attachment is None:
            raise Refused("console_workspace.refused.empty")
        limit = MAX_CAPTION if attachment is not None else MAX_ANSWER
        if len(text) > limit:
            raise Refused("console_workspace.refused.too_long", limit=limit)
        first = await self._case(number)
        lock = self._locks.setdefault(first.id or 0, asyncio.Lock())
        async with lock:
            case = await self.held(number, person_id)  # again: it may have closed meanwhile
            messenger = self._cases.messenger
            if attachment is None:
                posted = await messenger.post_text(person_id, text,
                                                   reply_to=case.expert_anchor_id)
                kind = "text"
            else:
                kind = attachment.kind.value
                posted = await messenger.post_file(person_id, kind, attachment.data,
                                                   attachment.filename, text or None,
                                                   reply_to=case.expert_anchor_id)
            if posted.message_id is None:
                raise Refused("console_workspace.refused.own_chat")
            result = await self._relay.relay(person_id, case, Incoming(
                person_id, posted.message_id, kind, text or None, posted.media_ref, None))
        return Answered(case, result)

    async def add_note(self, number: str, person_id: int, is_staff: bool, text: str) -> Case:
        """An internal note: staff and the case's expert write and read it; it is shown in
        the staff topic and never reaches the asker."""
        case = await self._case(number)
        if not is_staff and case.expert_id != person_id:
            raise Refused("console_workspace.refused.not_yours", number=case.number)
        text = text.strip()
        if not text:
            raise Refused("console_workspace.refused.empty_note")
        if len(text) > NOTE_LIMIT:
            raise Refused("console_workspace.refused.too_long", limit=NOTE_LIMIT)
        await self._notes.add(case.id, person_id, text)
        author = await self._cases.person_name(person_id)
        staff_chat = self._cases.staff_chat_id
        if staff_chat is not None and case.staff_thread_id is not None:
            await self._cases.messenger.notify(staff_chat, "hotline.note.staff",
                                               thread_id=case.staff_thread_id,
                                               number=case.number, author=author, text=text)
        self._cases.events.publish(case.id)
        return case
