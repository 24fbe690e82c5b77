"""A consultation from question to rating: submitting, offering, claiming, closing, reopening.

CaseService is the hotline's one object for cases. It holds asking and ending itself and
works with three collaborators it builds: CaseCards (case_cards: the card, the alias, telling
participants and the staff topic), CaseRouting (case_routing: offers, escalation, the staff
topic) and CaseClaims (case_claims: claiming, handing over, releasing). What a person does to
a case comes in through its door in case_actions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.hotline.case_cards import (
    MAX_QUESTION_PARTS,
    CaseCards,
    FallbackFor,
    SuggestedQuestions,
    card_category,
)
from services.hotline.case_claims import STAFF_ROLES, CaseClaims, ClaimOutcome
from services.hotline.case_events import CaseEvents
from services.hotline.case_routing import ON_DUTY, CaseRouting
from services.hotline.closed_cards import ClosedCards
from services.hotline.experts import ExpertService
from services.hotline.handoffs import Handoff
from services.hotline.messenger import CaseCard, CaseMessenger, Delivery
from services.hotline.roster import RosterService
from services.people import PeopleService
from services.profiles import ProfileService
from storage.models import Case, CaseClaim, CaseHandoff, CaseMessage, CaseStatus, utcnow
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_handoffs import HandoffRepository
from storage.timestamps import as_utc

# Imported from here by the handlers, the waiting-room transfer and the benchmark.
__all__ = ["MAX_QUESTION_PARTS", "CaseService", "ClaimOutcome", "Outcome", "QuestionPart",
           "card_category"]

REOPEN_WINDOW = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an asker's action on a closed case (reopen, rate), for the reply."""

    result: str
    case: Case | None = None
    stars: int = 0


@dataclass(frozen=True, slots=True)
class QuestionPart:
    """One message of the question, as the asker sent it (copied to the expert on claim)."""

    chat_id: int
    message_id: int
    kind: str
    text: str | None
    media_ref: str | None


class CaseService:
    def __init__(self, cases: CaseRepository, experts: ExpertService, roster: RosterService,
                 people: PeopleService, profiles: ProfileService, messenger: CaseMessenger, *,
                 claim_timeout: timedelta, staff_chat_id: int | None, max_open_cases: int,
                 suggested_questions: SuggestedQuestions | None = None,
                 handoffs: HandoffRepository | None = None,
                 fallback_for: FallbackFor | None = None,
                 events: CaseEvents | None = None) -> None:
        self.repository = cases
        self._experts = experts
        self._zone = roster.zone
        self._people = people
        self._handoffs = handoffs
        self.claim_timeout = claim_timeout
        self.staff_chat_id = staff_chat_id
        self.max_open_cases = max_open_cases
        self._cards = CaseCards(cases, experts, people, profiles, messenger,
                                staff_chat_id=staff_chat_id,
                                suggested_questions=suggested_questions, handoffs=handoffs,
                                events=events)
        self.routing = CaseRouting(self._cards, cases, experts, roster, people,
                                   claim_timeout=claim_timeout, staff_chat_id=staff_chat_id,
                                   fallback_for=fallback_for)
        self.claims = CaseClaims(self._cards, cases, experts, self.routing)
        self.closed_cards = ClosedCards(self._cards, cases)
        self.events = self._cards.events  # live console pages listen to every change

    # ------------------------------------------------------------------ the Telegram side

    @property
    def messenger(self) -> CaseMessenger:
        return self._cards.messenger

    # ------------------------------------------------------------------ cards and telling

    async def card(self, case: Case) -> CaseCard:
        return await self._cards.card(case)

    async def aliases(self, expert_id: int | None) -> tuple[str, str]:
        return await self._cards.aliases(expert_id)

    async def tell(self, case: Case, chat_id: int, key: str, *, reply_to: int | None = None,
                   **values: object) -> Delivery:
        return await self._cards.tell(case, chat_id, key, reply_to=reply_to, **values)

    async def mirror_note(self, case: Case, key: str) -> None:
        await self._cards.mirror_note(case, key)

    async def person_name(self, telegram_id: int) -> str:
        return await self._cards.person_name(telegram_id)

    async def locale_of(self, telegram_id: int) -> str:
        return await self._cards.locale_of(telegram_id)

    # ------------------------------------------------------------------ routing and claims

    async def offer_in_category(self, case: Case, card: CaseCard, skip: tuple[int, ...]) -> None:
        await self.routing.offer_in_category(case, card, skip)

    async def escalate_due(self, now: datetime | None = None) -> int:
        return await self.routing.escalate_due(now)

    async def move_on(self, case_id: int) -> bool:
        """Every offer of the step declined: one step up now (services/hotline/offer_decline)."""
        return await self.routing.move_on(case_id)

    async def claim(self, case_id: int, presser_id: int, roles: frozenset[str],
                    in_staff_chat: bool) -> ClaimOutcome:
        return await self.claims.claim(case_id, presser_id, roles, in_staff_chat)

    async def hand_over(self, case: Case, to_user: int) -> bool:
        return await self.claims.hand_over(case, to_user)

    async def take_over(self, case_id: int, staff_id: int) -> bool:
        return await self.claims.take_over(case_id, staff_id)

    async def reassign(self, case_id: int, expert_id: int) -> bool:
        return await self.claims.reassign(case_id, expert_id)

    async def release(self, case: Case, by_staff: bool) -> bool:
        return await self.claims.release(case, by_staff)

    async def escalate_to_staff(self, case: Case) -> bool:
        return await self.routing.escalate_to_staff(case)

    # ------------------------------------------------------------------ reading (for edges)

    async def get(self, case_id: int) -> Case | None:
        return await self.repository.get(case_id)

    async def by_number(self, number: str) -> Case | None:
        return await self.repository.by_number(number)

    async def by_staff_thread(self, thread_id: int) -> Case | None:
        return await self.repository.by_staff_thread(thread_id)

    async def active_of_asker(self, asker_id: int) -> list[Case]:
        return await self.repository.active_of_asker(asker_id)

    async def open_of_expert(self, expert_id: int) -> list[Case]:
        return await self.repository.open_of_expert(expert_id)

    async def messages(self, case_id: int) -> list[CaseMessage]:
        return await self.repository.transcript.messages(case_id)

    async def claims_of(self, case_id: int) -> list[CaseClaim]:
        return await self.repository.history.claims_of([case_id])

    async def handoffs_of(self, case_id: int) -> list[CaseHandoff]:
        return await self._handoffs.of_case(case_id) if self._handoffs is not None else []

    # ------------------------------------------------------------------ bookkeeping

    async def comment(self, case_id: int, asker_id: int, text: str) -> bool:
        """The asker's optional words on their latest rating."""
        return await self.repository.history.comment(case_id, asker_id, text)

    async def anonymise_asker(self, asker_id: int) -> int:
        """/forget: the asker's words in every transcript are erased (their count)."""
        return await self.repository.transcript.anonymise_asker(asker_id)

    async def block(self, telegram_id: int, reason: str) -> bool:
        return await self.repository.block(telegram_id, reason)

    async def unblock(self, telegram_id: int) -> bool:
        return await self.repository.unblock(telegram_id)

    async def keep_handoff(self, case: Case, author_id: int, action: str,
                           handoff: Handoff | None) -> None:
        """Keeps the note with the case's history before the hand-over, so the next
        expert's offer or case card shows it first."""
        if handoff is None or self._handoffs is None:
            return
        await self._handoffs.add(CaseHandoff(case_id=case.id, author_id=author_id,
                                             action=action, summary=handoff.summary,
                                             skip_reason=handoff.skip_reason))

    # ------------------------------------------------------------------ asking

    def year_of(self, moment: datetime) -> int:
        """The year a case asked at `moment` is numbered in: the bureau's, not UTC's."""
        return moment.astimezone(self._zone).year

    async def is_blocked(self, telegram_id: int) -> bool:
        return await self.repository.is_blocked(telegram_id)

    async def can_open_another(self, asker_id: int) -> bool:
        return len(await self.repository.active_of_asker(asker_id)) < self.max_open_cases

    async def submit(self, asker_id: int, category: str, parts: list[QuestionPart],
                     on_created: Callable[[int], Awaitable[None]] | None = None) -> Case:
        """Opens the case and offers it to whoever should see it first."""
        case = await self.open(asker_id, category, parts, on_created)
        await self.route(case)
        return case

    async def open(self, asker_id: int, category: str, parts: list[QuestionPart],
                   on_created: Callable[[int], Awaitable[None]] | None = None) -> Case:
        """Stores the case with its question in one transaction, not offered yet: its claim
        deadline is the backstop, so a process that stops before `route` leaves the
        escalation check to offer it. on_created runs before the offer (the knowledge base
        links what it suggested; the asker's draft keeps the case's id)."""
        now = utcnow()
        messages = [CaseMessage(sender_role="asker", sender_id=asker_id,
                                source_chat_id=part.chat_id, source_message_id=part.message_id,
                                kind=part.kind, text=part.text, media_ref=part.media_ref,
                                delivery="held")
                    for part in parts[:MAX_QUESTION_PARTS]]
        case = await self.repository.create(asker_id, category, self.routing.backstop(now),
                                            ON_DUTY, year=self.year_of(now), messages=messages)
        self.events.publish(case.id)
        if on_created is not None:
            await on_created(case.id)
        return case

    async def route(self, case: Case) -> None:
        """Offers a case `open` stored to whoever should see it first."""
        await self.routing.route_new(case, await self._cards.card(case), utcnow())

    async def route_if_unoffered(self, case_id: int) -> bool:
        """Routes a case `open` stored whose offers never went out (the asker's Send, run
        again after a kill); False when it was offered, or another process does it."""
        case = await self.repository.get(case_id)
        if case is None or not await self.routing.unoffered(case):
            return False
        return await self.routing.resume(case, await self._cards.card(case))

    # ------------------------------------------------------------------ ending

    async def close(self, case: Case, by: str) -> bool:
        """Closes (by the expert or by the asker's /end) and asks the asker for a rating; the
        case cards' End, Close and Transfer buttons go, their step being done."""
        if not await self.repository.changes.close(case.id, by):
            return False
        closed = await self.repository.get(case.id)
        assert closed is not None
        # A reopening clears closed_at and an unrated closing leaves no rating: kept here.
        await self.repository.log.log_event(case.id, "closed", None)
        await self.closed_cards.send(closed.id)  # else the next check sends it
        await self._cards.drop_buttons(closed.asker_id, closed.asker_anchor_id)
        await self._cards.drop_buttons(closed.expert_id, closed.expert_anchor_id)
        if case.status == CaseStatus.OFFERED:  # ended while waiting: no Claim is left to win
            for offer in await self.repository.offers(closed.id):
                await self._cards.drop_buttons(offer.chat_id, offer.message_id)
        if closed.expert_id is not None:
            if by == "asker":
                await self._cards.tell_handler(closed, "hotline.closed.by_asker")
            if await self._experts.active_case(closed.expert_id) == closed.id:
                await self._experts.set_active_case(closed.expert_id, None)
        await self.mirror_note(closed, "hotline.closed.staff")
        return True

    async def reopenable(self, asker_id: int) -> list[Case]:
        """The asker's cases closed within the reopening window, newest first."""
        return await self.repository.closed_of_asker(asker_id, utcnow() - REOPEN_WINDOW)

    async def reopen(self, case_id: int, asker_id: int) -> Outcome:
        """Back to the same handler within 48 hours of closing; every rating given stays."""
        case = await self.repository.get(case_id)
        if case is None or case.asker_id != asker_id:
            return Outcome("not_yours")
        if case.status != CaseStatus.CLOSED:
            return Outcome("already_open", case)
        if case.expert_id is None:
            return Outcome("never_answered", case)
        if not await self.repository.changes.reopen(case_id, utcnow() - REOPEN_WINDOW):
            after = await self.repository.get(case_id)
            if after is not None and after.status != CaseStatus.CLOSED:
                return Outcome("already_open", after)
            return Outcome("too_late", case)
        reopened = await self.repository.get(case_id)
        assert reopened is not None and reopened.expert_id is not None
        await self.repository.log.log_event(case_id, "reopened", asker_id)
        # The rating card's step is over; the conversation cards work again.
        await self._cards.drop_buttons(reopened.asker_id, case.closed_card_id)
        card = await self.card(reopened)
        if reopened.asker_anchor_id is not None:
            await self.messenger.edit_card(reopened.asker_id, reopened.asker_anchor_id,
                                           "claimed_asker", card)
        if reopened.expert_anchor_id is not None:
            await self.messenger.edit_card(reopened.expert_id, reopened.expert_anchor_id,
                                           "claimed", card)
        await self._cards.tell_handler(reopened, "hotline.reopened.expert")
        await self.claims.reset_active_case(reopened.expert_id)
        await self.mirror_note(reopened, "hotline.reopened.staff")
        return Outcome("reopened", reopened)

    async def reopen_by_staff(self, case: Case) -> bool:
        """Staff open a closed case again, at any time: for its expert while they are still
        on the roster (or staff), else offered afresh in its category."""
        holder = case.expert_id
        if holder is not None and await self._may_still_answer(holder):
            if not await self.repository.changes.reopen(case.id, None):
                return False
            reopened = await self.repository.get(case.id)
            assert reopened is not None
            await self.repository.log.log_event(case.id, "reopened_staff", None)
            await self._cards.drop_buttons(reopened.asker_id, case.closed_card_id)
            card = await self.card(reopened)
            if reopened.asker_anchor_id is not None:
                await self.messenger.edit_card(reopened.asker_id, reopened.asker_anchor_id,
                                               "claimed_asker", card)
            if reopened.expert_anchor_id is not None:
                await self.messenger.edit_card(holder, reopened.expert_anchor_id, "claimed",
                                               card)
            await self._cards.tell_handler(reopened, "hotline.reopened_by_staff.expert")
            await self.claims.reset_active_case(holder)
            await self.tell(reopened, reopened.asker_id, "hotline.reopened_by_staff.asker",
                            reply_to=reopened.asker_anchor_id)
            await self.mirror_note(reopened, "hotline.reopened_by_staff.staff")
            return True
        if not await self.repository.changes.reopen_waiting(case.id, self.routing.backstop()):
            return False
        reopened = await self.repository.get(case.id)
        assert reopened is not None
        await self.repository.log.log_event(case.id, "reopened_staff", None)
        await self._cards.drop_buttons(reopened.asker_id, case.closed_card_id)
        await self.tell(reopened, reopened.asker_id, "hotline.reopened_by_staff.asker_waiting",
                        reply_to=reopened.asker_anchor_id)
        await self.mirror_note(reopened, "hotline.reopened_by_staff.staff")
        await self.routing.offer_afresh(reopened, await self.card(reopened),
                                        skip=(reopened.asker_id,))
        return True

    async def _may_still_answer(self, person_id: int) -> bool:
        expert = await self._experts.get(person_id)
        if expert is not None:
            return not expert.stepped_off
        person = await self._people.get(person_id)
        return person is not None and bool(STAFF_ROLES & set(person.roles))

    def can_reopen(self, case: Case) -> bool:
        return (case.status == CaseStatus.CLOSED and case.expert_id is not None
                and case.closed_at is not None
                and as_utc(case.closed_at) >= utcnow() - REOPEN_WINDOW)

    async def rate(self, case_id: int, asker_id: int, stars: int) -> Outcome:
        """Rates the latest closing once; a reopened case is rated when it closes again."""
        case = await self.repository.get(case_id)
        if case is None or case.asker_id != asker_id or not 1 <= stars <= 5:
            return Outcome("not_yours")
        if case.status != CaseStatus.CLOSED:
            return Outcome("open_again", case)
        if await self.repository.history.rate(case_id, asker_id, stars):
            self.events.publish(case_id)
            return Outcome("rated", await self.repository.get(case_id) or case)
        given = await self.repository.history.rating_of_closing(case)
        return Outcome("already_rated", case, given.stars if given is not None else 0)

    async def transfer(self, case: Case, expert_id: int, category: str) -> bool:
        """Back to the queue in another category; the asker and the staff topic are told."""
        if category == case.category or await self._experts.category(category) is None:
            return False
        if not await self.repository.changes.transfer(case.id, expert_id, category,
                                                      self.routing.backstop()):
            return False
        await self._cards.drop_buttons(expert_id, case.expert_anchor_id)
        if await self._experts.active_case(expert_id) == case.id:
            await self._experts.set_active_case(expert_id, None)
        moved = await self.repository.get(case.id)
        assert moved is not None
        card = await self.card(moved)
        await self.mirror_note(moved, "hotline.transfer.staff")
        await self.offer_in_category(moved, card, skip=(expert_id, moved.asker_id))
        return True
