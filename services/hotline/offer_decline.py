"""Declining an offer (issue 15 item 7): the expert's offer ends at once, as if its time had
run out for them; when nobody else of that step still holds it, the case moves on now. The
decline is recorded, and a reason (a few fixed choices, or none) may follow."""

from __future__ import annotations

from services.hotline.cases import CaseService
from services.refusals import Refused
from storage.models import Case, CaseStatus
from storage.repositories.hotline_duty_cases import DutyCaseRepository

# Catalogue keys hotline.decline.reason.<reason>; "skipped" records that none was given.
REASONS = ("busy", "not_my_field", "conflict")
SKIPPED = "skipped"


class OfferDeclines:
    def __init__(self, cases: CaseService, repository: DutyCaseRepository) -> None:
        self._cases = cases
        self._repository = repository

    async def decline(self, case_id: int, expert_id: int) -> Case:
        """Ends the expert's offer of the case; the case goes on at once if it was the last
        offer of its step still held. Refused: never offered (forged), or too late."""
        case = await self._cases.repository.get(case_id)
        offer = await self._repository.latest_offer(case_id, expert_id) if case else None
        if case is None or offer is None:
            raise Refused("hotline.decline.not_offered")
        if case.status != CaseStatus.OFFERED:
            raise Refused("hotline.decline.too_late", number=case.number)
        if not await self._repository.add_decline(offer):
            raise Refused("hotline.decline.already", number=case.number)
        await self._cases.repository.log.log_event(case_id, "declined", expert_id)
        card = await self._cases.card(case)
        await self._cases.messenger.edit_card(offer.chat_id, offer.message_id,
                                              "offer_declined", card)
        self._cases.events.publish(case_id)
        if offer.level == case.escalation_level and not await self._still_held(case, offer.level):
            await self._cases.move_on(case_id)
        return case

    async def give_reason(self, case_id: int, expert_id: int, reason: str) -> Case:
        """The reason of the expert's decline (or SKIPPED), once; refused otherwise."""
        case = await self._cases.repository.get(case_id)
        if case is None or reason not in (*REASONS, SKIPPED):
            raise Refused("hotline.decline.not_offered")
        if not await self._repository.give_reason(case_id, expert_id, reason):
            declined = {d.expert_id for d in await self._repository.declines(case_id)}
            if expert_id not in declined:
                raise Refused("hotline.decline.not_offered")
            raise Refused("hotline.decline.reason_given", number=case.number)
        return case

    async def _still_held(self, case: Case, level: int) -> bool:
        """Whether someone else of this step still holds an offer they have not declined."""
        declined = await self._repository.declined_offers(case.id)
        return any(o.level == level and o.expert_id is not None and o.id not in declined
                   for o in await self._cases.repository.offers(case.id))
