"""What staff do to a case from the console: reassign it to an expert, transfer it to
another category, close it.

Each goes through the same CaseService call the bot's buttons use (reassign: the staff
group's Reassign; transfer: the expert's Transfer; close: /close), so the asker, the
experts and the staff topic are told exactly as in the bot. The one addition: in the bot
the expert is the one who transfers or closes, so they know; from the console, staff do it,
so the expert is told as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from services.hotline.waiting_transfer import WaitingCaseMover
from storage.models import Case, CaseStatus

CLOSED_BY_STAFF = "staff"


class CaseActionError(ValueError):
    """An action refused: the catalogue key, the form field it concerns, and its values."""

    def __init__(self, key: str, field: str | None = None, **values: object) -> None:
        super().__init__(key)
        self.key, self.field, self.values = key, field, values


@dataclass(frozen=True, slots=True)
class ActionResult:
    before: Case
    after: Case


class CaseActions:
    def __init__(self, cases: CaseService, experts: ExpertService,
                 waiting: WaitingCaseMover) -> None:
        self._cases = cases
        self._experts = experts
        self._waiting = waiting

    async def _case(self, number: str) -> Case:
        case = await self._cases.repository.by_number(number.strip().upper())
        if case is None:
            raise CaseActionError("console_ops.cases.error.no_case", number=number)
        if case.status == CaseStatus.CLOSED:
            raise CaseActionError("console_ops.cases.error.closed", number=case.number)
        return case

    async def _reloaded(self, case: Case) -> Case:
        after = await self._cases.repository.get(case.id)
        assert after is not None
        return after

    async def reassign(self, number: str, expert_id: int) -> ActionResult:
        """A waiting case is claimed for the expert; an open one is handed over to them."""
        case = await self._case(number)
        expert = await self._experts.get(expert_id)
        if expert is None:
            raise CaseActionError("console_ops.cases.error.not_expert", "expert")
        if case.category not in expert.categories:
            raise CaseActionError("console_ops.cases.error.other_category", "expert",
                                  name=expert.name)
        if expert_id == case.asker_id:
            raise CaseActionError("console_ops.cases.error.is_asker", "expert")
        if expert_id == case.expert_id:
            raise CaseActionError("console_ops.cases.error.same_expert", "expert",
                                  name=expert.name)
        if not await self._cases.reassign(case.id, expert_id):
            raise CaseActionError("console_ops.cases.error.changed", number=case.number)
        return ActionResult(case, await self._reloaded(case))

    async def transfer(self, number: str, category: str) -> ActionResult:
        """Back to the queue of another category, as the expert's Transfer button does; a
        waiting case moves queues (WaitingCaseMover)."""
        case = await self._case(number)
        target = await self._experts.category(category)
        if target is None or not target.active:
            raise CaseActionError("console_ops.cases.error.unknown_category", "category")
        if category == case.category:
            raise CaseActionError("console_ops.cases.error.same_category", "category")
        if case.status == CaseStatus.OFFERED:
            # Nobody holds it yet: it moves queues, and is offered afresh in the new one.
            if not await self._waiting.move(case, category):
                raise CaseActionError("console_ops.cases.error.changed", number=case.number)
            return ActionResult(case, await self._reloaded(case))
        if case.expert_id is None:
            raise CaseActionError("console_ops.cases.error.changed", number=case.number)
        expert_id = case.expert_id
        if not await self._cases.transfer(case, expert_id, category):
            raise CaseActionError("console_ops.cases.error.changed", number=case.number)
        await self._cases.messenger.notify(
            expert_id, "hotline.console.transferred_by_staff", number=case.number,
            reply_to=case.expert_anchor_id)
        return ActionResult(case, await self._reloaded(case))

    async def close(self, number: str) -> ActionResult:
        """Closes the case; the asker is asked for a rating, as after /close."""
        case = await self._case(number)
        if not await self._cases.close(case, CLOSED_BY_STAFF):
            raise CaseActionError("console_ops.cases.error.changed", number=case.number)
        if case.expert_id is not None:
            await self._cases.messenger.notify(
                case.expert_id, "hotline.console.closed_by_staff", number=case.number,
                reply_to=case.expert_anchor_id)
        return ActionResult(case, await self._reloaded(case))
