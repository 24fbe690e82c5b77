"""Staff move a waiting case (nobody has claimed it yet) to another category.

In the bot only the expert holding a case can transfer it; a case still waiting for a claim
has no such expert, and the console lets staff put it where it belongs. The asker is told
exactly as after the expert's Transfer; the Claim buttons already sent for the old category
say the case has moved and can no longer win it; the staff topic is told; and the case is
offered afresh in its new category (on duty, else backups, else staff).
"""

from __future__ import annotations

from services.hotline.cases import CaseService
from services.people import PeopleService
from storage.models import Case, CaseStatus
from storage.repositories.hotline_waiting import WaitingCaseRepository


class WaitingCaseMover:
    def __init__(self, cases: CaseService, people: PeopleService,
                 repository: WaitingCaseRepository) -> None:
        self._cases = cases
        self._people = people
        self._repository = repository

    async def move(self, case: Case, category: str) -> bool:
        """False when the case is not waiting any more (claimed or closed meanwhile)."""
        if case.status != CaseStatus.OFFERED or category == case.category:
            return False
        offers = await self._cases.repository.offers(case.id)
        if not await self._repository.move(case.id, case.category, category,
                                           self._cases.routing.backstop()):
            return False
        moved = await self._cases.repository.get(case.id)
        assert moved is not None
        card = await self._cases.card(moved)
        messenger = self._cases.messenger
        for offer in offers:
            await messenger.edit_card(offer.chat_id, offer.message_id, "offer_moved", card)
        # The asker is told where it went (and, off hours, when that category's next
        # shift begins) by offer_in_category, exactly as after the expert's Transfer.
        await self._cases.mirror_note(moved, "hotline.console.moved_by_staff")
        await self._cases.offer_in_category(moved, card, skip=(moved.asker_id,))
        return True
