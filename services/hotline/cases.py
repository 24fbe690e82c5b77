"""A consultation from question to rating: submitting, offering, claiming, closing, reopening.

This module holds asking and ending; the steps of routing (offers, escalation, the staff
topic) are in case_routing, claiming and handing over in case_claims, the card and the
shared collaborators in case_base. CaseService puts the three together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from services.hotline.case_base import (
    MAX_QUESTION_PARTS,
    FallbackFor,
    SuggestedQuestions,
    card_category,
)
from services.hotline.case_claims import CaseClaims, ClaimOutcome
from services.hotline.case_events import CaseEvents
from services.hotline.case_routing import ON_DUTY, CaseRouting
from services.hotline.experts import ExpertService
from services.hotline.messenger import CaseMessenger
from services.hotline.roster import RosterService
from services.people import PeopleService
from services.profiles import ProfileService
from storage.models import Case, CaseMessage, CaseStatus, utcnow
from storage.repositories.hotline_cases import CaseRepository
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


class CaseService(CaseRouting, CaseClaims):
    def __init__(self, cases: CaseRepository, experts: ExpertService, roster: RosterService,
                 people: PeopleService, profiles: ProfileService, messenger: CaseMessenger, *,
                 claim_timeout: timedelta, staff_chat_id: int | None, max_open_cases: int,
                 suggested_questions: SuggestedQuestions | None = None,
                 fallback_for: FallbackFor | None = None,
                 events: CaseEvents | None = None) -> None:
        super().__init__(cases, experts, roster, people, profiles, messenger,
                         claim_timeout=claim_timeout,
                         staff_chat_id=staff_chat_id, max_open_cases=max_open_cases,
                         suggested_questions=suggested_questions, fallback_for=fallback_for,
                         events=events)

    # ------------------------------------------------------------------ asking

    async def is_blocked(self, telegram_id: int) -> bool:
        return await self.repository.is_blocked(telegram_id)

    async def can_open_another(self, asker_id: int) -> bool:
        return len(await self.repository.active_of_asker(asker_id)) < self.max_open_cases

    async def submit(self, asker_id: int, category: str, parts: list[QuestionPart],
                     on_created: Callable[[int], Awaitable[None]] | None = None) -> Case:
        """Opens the case, keeps the question, and offers it to whoever should see it first
        (on_created runs before the offer: the knowledge base links what it suggested)."""
        now = utcnow()
        case = await self.repository.create(asker_id, category, None, ON_DUTY)
        self.events.publish(case.id)
        if on_created is not None:
            await on_created(case.id)
        for part in parts[:MAX_QUESTION_PARTS]:
            await self.repository.add_message(CaseMessage(
                case_id=case.id, sender_role="asker", sender_id=asker_id,
                source_chat_id=part.chat_id, source_message_id=part.message_id, kind=part.kind,
                text=part.text, media_ref=part.media_ref, delivery="held"))
        card = await self.card(case)
        await self._open_staff_topic(case, card)
        on_duty = [e for e in await self._roster.on_duty(category, now) if e != asker_id]
        if not on_duty:
            await self._tell_off_hours(case, card, now)
            if await self._offer_to_fallback(case, card, now, skip=(asker_id,)):  # issue 15
                return case
            # The off-hours reply already says the question goes on to others.
            await self._escalate(case, ON_DUTY, card, quiet=True)
            return case
        await self.repository.escalate(case.id, ON_DUTY, ON_DUTY, now + self.claim_timeout)
        offered = await self._offer(case, card, on_duty, ON_DUTY)
        if offered.sent:
            await self.tell(case, asker_id, "hotline.case.offered", count=offered.sent,
                            category=card_category(card, await self._locale(asker_id)))
            return case
        await self._escalate(case, ON_DUTY, card, offered.undelivered)
        return case
    # ------------------------------------------------------------------ ending

    async def close(self, case: Case, by: str) -> bool:
        """Closes (by the expert or by the asker's /end) and asks the asker for a rating; the
        case cards' End, Close and Transfer buttons go, their step being done."""
        if not await self.repository.close(case.id, by):
            return False
        closed = await self.repository.get(case.id)
        assert closed is not None
        # A reopening clears closed_at and an unrated closing leaves no rating: kept here.
        await self.repository.log_event(case.id, "closed", None)
        card = await self.card(closed)
        rating_card = await self.messenger.send_card(closed.asker_id, "closed_asker", card)
        await self.repository.set_fields(closed.id, closed_card_id=rating_card.message_id)
        if rating_card.message_id is not None:  # after a reopening, a reply to it routes
            await self.repository.add_copy(closed.id, closed.asker_id, rating_card.message_id)
        await self.drop_buttons(closed.asker_id, closed.asker_anchor_id)
        await self.drop_buttons(closed.expert_id, closed.expert_anchor_id)
        if case.status == CaseStatus.OFFERED:  # ended while waiting: no Claim is left to win
            for offer in await self.repository.offers(closed.id):
                await self.drop_buttons(offer.chat_id, offer.message_id)
        if closed.expert_id is not None:
            if by == "asker":
                await self.tell_handler(closed, "hotline.closed.by_asker")
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
        if not await self.repository.reopen(case_id, utcnow() - REOPEN_WINDOW):
            after = await self.repository.get(case_id)
            if after is not None and after.status != CaseStatus.CLOSED:
                return Outcome("already_open", after)
            return Outcome("too_late", case)
        reopened = await self.repository.get(case_id)
        assert reopened is not None and reopened.expert_id is not None
        await self.repository.log_event(case_id, "reopened", asker_id)
        # The rating card's step is over; the conversation cards work again.
        await self.drop_buttons(reopened.asker_id, case.closed_card_id)
        card = await self.card(reopened)
        if reopened.asker_anchor_id is not None:
            await self.messenger.edit_card(reopened.asker_id, reopened.asker_anchor_id,
                                           "claimed_asker", card)
        if reopened.expert_anchor_id is not None:
            await self.messenger.edit_card(reopened.expert_id, reopened.expert_anchor_id,
                                           "claimed", card)
        await self.tell_handler(reopened, "hotline.reopened.expert")
        await self._reset_active_case(reopened.expert_id)
        await self.mirror_note(reopened, "hotline.reopened.staff")
        return Outcome("reopened", reopened)

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
        if await self.repository.rate(case_id, asker_id, stars):
            self.events.publish(case_id)
            return Outcome("rated", await self.repository.get(case_id) or case)
        given = await self.repository.rating_of_closing(case)
        return Outcome("already_rated", case, given.stars if given is not None else 0)

    async def transfer(self, case: Case, expert_id: int, category: str) -> bool:
        """Back to the queue in another category; the asker and the staff topic are told."""
        if category == case.category or await self._experts.category(category) is None:
            return False
        if not await self.repository.transfer(case.id, expert_id, category, None):
            return False
        await self.drop_buttons(expert_id, case.expert_anchor_id)
        if await self._experts.active_case(expert_id) == case.id:
            await self._experts.set_active_case(expert_id, None)
        moved = await self.repository.get(case.id)
        assert moved is not None
        card = await self.card(moved)
        await self.mirror_note(moved, "hotline.transfer.staff")
        await self.offer_in_category(moved, card, skip=(expert_id, moved.asker_id))
        return True
