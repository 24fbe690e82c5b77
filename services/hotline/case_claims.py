"""Claiming a case (first claim wins), starting the conversation, and handing a case to
another expert or to staff."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.hotline.case_cards import CaseCards
from services.hotline.case_routing import CaseRouting
from services.hotline.experts import ExpertService
from services.hotline.messenger import FINAL_FAILURES, CaseCard
from storage.models import Case, CaseStatus, Role
from storage.repositories.hotline_cases import CaseRepository

log = logging.getLogger(__name__)

STAFF_ROLES = {Role.STAFF.value, Role.ADMIN.value}


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    result: str  # won, taken, refused, stale
    case: Case | None = None
    reason: str = ""


class CaseClaims:
    def __init__(self, cards: CaseCards, cases: CaseRepository, experts: ExpertService,
                 routing: CaseRouting) -> None:
        self._cards = cards
        self.repository = cases
        self._experts = experts
        self._routing = routing  # a released case is offered afresh, as after a timeout

    async def claim(self, case_id: int, presser_id: int, roles: frozenset[str],
                    in_staff_chat: bool) -> ClaimOutcome:
        """First claim wins; the presser must have been offered the case (or be staff in the
        staff group); anyone else is refused, whatever the button they pressed."""
        case = await self.repository.get(case_id)
        if case is None:
            return ClaimOutcome("stale", reason="no such case")
        offers = await self.repository.offers(case_id)
        offered_to = {o.expert_id for o in offers if o.expert_id is not None}
        staff_offer = any(o.expert_id is None for o in offers)
        expert = await self._experts.get(presser_id)
        # The category's experts are the audience of levels 0 and 1 (on duty, then backups);
        # checking the category rather than only the offer rows also lets an expert press
        # Claim before the offer's row is written, while the offers are still going out.
        allowed = (presser_id in offered_to
                   or (expert is not None and case.category in expert.categories)
                   or (in_staff_chat and staff_offer and bool(STAFF_ROLES & roles)))
        if presser_id == case.asker_id or not allowed:
            reason = ("not an expert" if expert is None else
                      f"expert of {','.join(expert.categories)}, case is {case.category}")
            return ClaimOutcome("refused", case, reason)
        if (case.status == CaseStatus.OPEN and case.expert_id == presser_id
                and case.expert_anchor_id is None):
            # The presser's claim is stored but their case card never went out: the process
            # was killed right after the claim, and this is the press handled again.
            log.warning("case %s: claimed by %s, the conversation never started; starting it",
                        case.number, presser_id)
            return await self._started(case_id, case, offers)
        if case.status != CaseStatus.OFFERED or not await self.repository.changes.claim(case_id,
                                                                                        presser_id):
            return ClaimOutcome("taken", await self.repository.get(case_id))
        claimed = await self.repository.get(case_id)
        assert claimed is not None
        return await self._started(case_id, claimed, offers)

    async def _started(self, case_id: int, claimed: Case, offers: list) -> ClaimOutcome:
        undone = await self._after_claim(claimed, offers)
        after = await self.repository.get(case_id)
        self._cards.events.publish(case_id)
        if undone is not None and after is not None and after.status == CaseStatus.OFFERED:
            return ClaimOutcome("unreachable", after, undone)
        return ClaimOutcome("won", claimed)

    async def _after_claim(self, case: Case, offers: list) -> str | None:
        """None, or why the claim was undone (the failure of the claimer's card)."""
        card = await self._cards.card(case)
        for offer in offers:
            kind = "offer_won" if offer.expert_id == case.expert_id else "offer_taken"
            await self._cards.messenger.edit_card(offer.chat_id, offer.message_id, kind, card)
        return await self._start_conversation(case, card)

    async def _start_conversation(self, case: Case, card: CaseCard) -> str | None:
        """The expert's case card, the question copied under it, and the asker told who;
        None, or why the claimer could not be written to and the claim was undone."""
        assert case.expert_id is not None
        expert_card = await self._cards.messenger.send_card(case.expert_id, "claimed", card)
        if not expert_card.ok and await self.repository.changes.unclaim(
                case.id, case.expert_id, self._routing.backstop()):
            # Staff claiming in the group who never opened a private chat with the bot, or
            # a send that failed for now: the case waits again, its offers say so.
            failure = expert_card.failure or "network"
            log.warning("case %s: claimer %s cannot be written to (%s); claim undone",
                        case.number, case.expert_id, failure)
            waiting = await self.repository.get(case.id)
            if waiting is not None:
                await self._routing.restore_offers(waiting)
            if failure in FINAL_FAILURES:  # until they act: send /start, unblock the bot
                await self._cards.mirror_note(case, "hotline.staff.start_private_chat")
            return failure
        asker_card = await self._cards.messenger.send_card(case.asker_id, "claimed_asker", card)
        # After a transfer the asker's earlier card is superseded: its End button goes.
        await self._cards.drop_buttons(case.asker_id, case.asker_anchor_id)
        await self.repository.changes.set_fields(case.id, expert_anchor_id=expert_card.message_id,
                                                 asker_anchor_id=asker_card.message_id)
        await self.reset_active_case(case.expert_id)
        for held in await self.repository.transcript.held(case.id):
            delivery = await self._cards.messenger.copy(case.expert_id, held.source_chat_id,
                                                        held.source_message_id,
                                                        reply_to=expert_card.message_id)
            await self.repository.transcript.update_message(
                held.id, target_chat_id=case.expert_id, target_message_id=delivery.message_id,
                delivery="delivered" if delivery.ok else "failed")
        return None

    async def hand_over(self, case: Case, to_user: int) -> bool:
        """Gives an open case to another expert (or to staff taking it over)."""
        previous = case.expert_id
        if previous == to_user or to_user == case.asker_id:
            return False
        if not await self.repository.changes.reassign(case.id, to_user):
            return False
        await self.repository.log.log_event(case.id, "handed_over", to_user)
        if previous is not None:
            await self._cards.drop_buttons(previous, case.expert_anchor_id)
            await self._cards.messenger.notify(previous, "hotline.handed_over.previous",
                                               number=case.number, reply_to=case.expert_anchor_id)
            if await self._experts.active_case(previous) == case.id:
                await self._experts.set_active_case(previous, None)
        moved = await self.repository.get(case.id)
        assert moved is not None
        card = await self._cards.card(moved)
        anchor = await self._cards.messenger.send_card(to_user, "claimed", card)
        await self.repository.changes.set_fields(case.id, expert_anchor_id=anchor.message_id)
        # The new expert reads what was said so far, in order, under their case card; each
        # copy is kept, so replying to any of them routes to this case and its thread.
        for message in await self.repository.transcript.messages(case.id):
            if message.version == 0 and message.delivery != "failed":
                copy = await self._cards.messenger.copy(to_user, message.source_chat_id,
                                                        message.source_message_id,
                                                        reply_to=anchor.message_id)
                if copy.message_id is not None:
                    await self.repository.history.add_copy(case.id, to_user, copy.message_id,
                                                           message.id)
        await self._cards.tell(moved, moved.asker_id, "hotline.handed_over.asker",
                               alias=await self._cards.alias_for(moved.asker_id, to_user),
                               reply_to=moved.asker_anchor_id)
        await self._cards.mirror_note(moved, "hotline.handed_over.staff")
        return True

    async def take_over(self, case_id: int, staff_id: int) -> bool:
        """Staff step in from the case's topic: claim a waiting case, or take an open one."""
        case = await self.repository.get(case_id)
        if case is None or case.status == CaseStatus.CLOSED or staff_id == case.asker_id:
            return False
        if case.status == CaseStatus.OFFERED:
            if not await self._claim_for(case_id, staff_id):
                return False
            after = await self.repository.get(case_id)
            return after is not None and after.status == CaseStatus.OPEN
        return await self.hand_over(case, staff_id)

    async def reassign(self, case_id: int, expert_id: int) -> bool:
        """Staff give a waiting or open case to a chosen expert of its category."""
        case = await self.repository.get(case_id)
        if case is None or case.status == CaseStatus.CLOSED or expert_id == case.asker_id:
            return False
        if case.status == CaseStatus.OFFERED:
            return await self._claim_for(case_id, expert_id)
        return await self.hand_over(case, expert_id)

    async def release(self, case: Case, by_staff: bool) -> bool:
        """The holder gives the case up (or staff take it from them): it is offered afresh
        in its category, as when an offer's time runs out, to everyone but the holder."""
        holder = case.expert_id
        if holder is None or not await self.repository.changes.release(
                case.id, holder, self._routing.backstop()):
            return False
        await self.repository.log.log_event(case.id, "released", holder)
        await self._cards.drop_buttons(holder, case.expert_anchor_id)
        await self._cards.messenger.notify(
            holder, "hotline.released.by_staff" if by_staff else "hotline.released.expert",
            number=case.number, reply_to=case.expert_anchor_id)
        if await self._experts.active_case(holder) == case.id:
            await self._experts.set_active_case(holder, None)
        released = await self.repository.get(case.id)
        assert released is not None
        await self._cards.tell(released, released.asker_id, "hotline.released.asker",
                               reply_to=released.asker_anchor_id)
        await self._cards.mirror_note(released, "hotline.released.staff")
        await self._routing.offer_afresh(released, await self._cards.card(released),
                                         skip=(holder, released.asker_id))
        return True

    async def _claim_for(self, case_id: int, user_id: int) -> bool:
        """Claims a waiting case on someone's behalf, as if they had pressed Claim first;
        False too when the claim was undone (they could not be written to)."""
        offers = await self.repository.offers(case_id)
        if not await self.repository.changes.claim(case_id, user_id):
            return False
        claimed = await self.repository.get(case_id)
        assert claimed is not None
        return await self._after_claim(claimed, offers) is None

    async def reset_active_case(self, expert_id: int) -> None:
        """With a new case the expert's choice is void: a message that is not a reply must
        not slip into whichever case happened to be active, so the bot will ask again."""
        await self._experts.set_active_case(expert_id, None)
