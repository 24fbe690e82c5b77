"""Telling people about a case: its card (as offers, case cards and the staff topic show it),
the expert's alias, a participant's language, notes in their chats and in the staff topic,
and the live console's events. CaseService, CaseRouting and CaseClaims each hold one
CaseCards, given to them when they are built.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.hotline.case_events import CaseEvents
from services.hotline.experts import ExpertService
from services.hotline.handoffs import SKIP_REASONS
from services.hotline.messenger import CaseCard, CaseMessenger, Delivery
from services.people import PeopleService
from services.profiles import ProfileService
from storage.models import Case
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_handoffs import HandoffRepository

QUESTION_PREVIEW = 800
MAX_QUESTION_PARTS = 10
# The knowledge-base entries the asker saw before asking (services.kb), shown to the expert.
SuggestedQuestions = Callable[[int], Awaitable[list[str]]]
# Issue 15 item 4: the person offered a category's case when nobody is on duty
# (services/hotline/fallback.py, CategoryFallbacks.person_for).
FallbackFor = Callable[[str], Awaitable[int | None]]


class CaseCards:
    def __init__(self, cases: CaseRepository, experts: ExpertService, people: PeopleService,
                 profiles: ProfileService, messenger: CaseMessenger, *,
                 staff_chat_id: int | None,
                 suggested_questions: SuggestedQuestions | None = None,
                 handoffs: HandoffRepository | None = None,
                 events: CaseEvents | None = None) -> None:
        self.repository = cases
        self._handoffs = handoffs
        self._suggested_questions = suggested_questions
        self._experts = experts
        self._people = people
        self._profiles = profiles
        # Live console pages listen to every change of a case (and, through the database,
        # to changes other processes make).
        self.events = events or CaseEvents()
        self.staff_chat_id = staff_chat_id
        self.messenger = messenger  # the Telegram side (handlers/hotline_messenger.py)

    # ------------------------------------------------------------------ cards and aliases

    async def card(self, case: Case) -> CaseCard:
        category = await self._experts.category(case.category)
        parts = [m for m in await self.repository.transcript.messages(case.id)
                 if m.sender_role == "asker"]
        question = "\n".join(m.text for m in parts[:MAX_QUESTION_PARTS] if m.text)
        attachments = sum(1 for m in parts[:MAX_QUESTION_PARTS] if m.media_ref)
        alias_zh, alias_en = await self.aliases(case.expert_id)
        profile = await self._profiles.get(case.asker_id)
        suggested = (tuple(await self._suggested_questions(case.id))
                     if self._suggested_questions is not None else ())
        handoff = (await self._handoffs.latest(case.id)
                   if self._handoffs is not None else None)
        skip = handoff.skip_reason or "" if handoff is not None else ""
        # Kept apart: the template joins them with the locale's own comma (，or ,).
        return CaseCard(case.id, case.number, category.name_zh if category else case.category,
                        category.name_en if category else case.category,
                        question[:QUESTION_PREVIEW], attachments, alias_zh, alias_en,
                        profile.organisation if profile else "",
                        profile.community if profile else "", suggested=suggested,
                        handoff=handoff.summary or "" if handoff is not None else "",
                        handoff_skip_key=SKIP_REASONS.get(skip, ""),
                        handoff_skip="" if skip in SKIP_REASONS else skip)

    async def aliases(self, expert_id: int | None) -> tuple[str, str]:
        if expert_id is None:
            return "", ""
        expert = await self._experts.get(expert_id)
        if expert is not None:
            return expert.alias_zh, expert.alias_en
        return self._experts.staff_aliases()

    async def tell(self, case: Case, chat_id: int, key: str, *, reply_to: int | None = None,
                   **values: object) -> Delivery:
        """A note about the case in a participant's chat, kept so that a reply to it routes
        to the case (someone with several cases is not asked "which case?")."""
        note = await self.messenger.notify(chat_id, key, number=case.number, reply_to=reply_to,
                                           **values)
        self.events.publish(case.id)
        if note.message_id is not None:
            await self.repository.history.add_copy(case.id, chat_id, note.message_id)
        return note

    async def tell_handler(self, case: Case, key: str, **values: object) -> None:
        if case.expert_id is not None:
            await self.tell(case, case.expert_id, key, reply_to=case.expert_anchor_id, **values)

    async def drop_buttons(self, chat_id: int | None, message_id: int | None) -> None:
        if chat_id is not None and message_id is not None:
            await self.messenger.drop_buttons(chat_id, message_id)

    async def mirror_note(self, case: Case, key: str) -> None:
        self.events.publish(case.id)  # each change that staff are told of is a change to show
        if self.staff_chat_id is not None and case.staff_thread_id is not None:
            await self.messenger.notify(self.staff_chat_id, key, number=case.number,
                                        thread_id=case.staff_thread_id)

    async def person_name(self, telegram_id: int) -> str:
        person = await self._people.get(telegram_id)
        return person.display_name if person is not None else str(telegram_id)

    async def locale_of(self, telegram_id: int) -> str:
        person = await self._people.get(telegram_id)
        return person.locale if person is not None else "zh_CN"

    async def alias_for(self, reader_id: int, expert_id: int) -> str:
        """The expert's alias in the reader's language."""
        alias_zh, alias_en = await self.aliases(expert_id)
        return alias_en if await self.locale_of(reader_id) == "en" else alias_zh


def card_category(card: CaseCard, locale: str) -> str:
    return card.category_en if locale == "en" else card.category_zh
