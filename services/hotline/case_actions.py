"""The one front door of each action on a case, for the bot, the console and the CLI alike.

Each door takes the actor (who, with which roles, through which channel), checks that they
may act and that the case is in a state that allows it, makes the change through
CaseService (which tells the asker, the experts and the staff topic), and writes the audit
entry. A refusal is `Refused(key, field, **values)`: each edge renders it in its reader's
language, so a button in Telegram, a form in the console and a line of the CLI say the same
words for the same refusal.

Which words: the key follows the actor's part in the case. Someone with no part in it (a
forged or stale button) gets NOT_ALLOWED, which says nothing about the case; the asker and
the expert get the bot's words for their own step being over; staff get the console's.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.actors import Actor
from services.audit import BOT, AuditLog
from services.audit_entries import case_changed
from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from services.hotline.handoffs import Handoff
from services.hotline.messenger import FINAL_FAILURES
from services.hotline.waiting_transfer import WaitingCaseMover
from services.refusals import Refused
from storage.models import Case, CaseStatus

NOT_ALLOWED = "hotline.button.refused"
NO_CASE = "console_ops.cases.error.no_case"
CHANGED = "console_ops.cases.error.changed"
# A case closed under the actor's feet, in the words of their part in it.
CLOSED_FOR_STAFF = "console_ops.cases.error.closed"
CLOSED_FOR_EXPERT = "hotline.stale.closed"
CLOSED_FOR_ASKER = "hotline.stale.ended"
NOT_YOURS_ANY_MORE = "hotline.stale.not_yours"
# Actions an expert takes on their own case are audited too: staff need to see who gave up
# or passed on a case; an expert's close or transfer is their everyday work and is not.
AUDITED_FOR_EVERYONE = frozenset({"release", "escalate"})


@dataclass(frozen=True, slots=True)
class ActionResult:
    before: Case
    after: Case


class CaseActions:
    def __init__(self, cases: CaseService, experts: ExpertService, waiting: WaitingCaseMover,
                 audit: AuditLog) -> None:
        self._cases = cases
        self._experts = experts
        self._waiting = waiting
        self._audit = audit

    # ------------------------------------------------------------------ finding the case

    async def find(self, case: int | str) -> Case:
        """The case by id (buttons) or number (pages, the CLI); NO_CASE when there is none."""
        found = (await self._cases.get(case) if isinstance(case, int)
                 else await self._cases.by_number(case.strip().upper()))
        if found is None:
            raise Refused(NO_CASE, number=str(case))
        return found

    async def _reloaded(self, case: Case) -> Case:
        return await self._cases.get(case.id) or case

    def _closed(self, actor: Actor, case: Case) -> Refused:
        if actor.telegram_id == case.asker_id and not actor.is_staff:
            return Refused(CLOSED_FOR_ASKER, number=case.number)
        if actor.is_staff:
            return Refused(CLOSED_FOR_STAFF, number=case.number)
        return Refused(CLOSED_FOR_EXPERT, number=case.number)

    async def _stranger(self, actor: Actor, case: Case) -> Refused:
        """Someone who does not hold the case: its earlier expert is told it moved on; anyone
        else learns nothing about it."""
        claims = await self._cases.claims_of(case.id)
        if actor.telegram_id in {c.expert_id for c in claims}:
            return Refused(NOT_YOURS_ANY_MORE, number=case.number)
        return Refused(NOT_ALLOWED)

    async def _held(self, actor: Actor, case: Case, *, staff_may: bool) -> bool:
        """Checks that the actor holds the open case (or, with staff_may, is staff); True
        when they hold it themselves."""
        if case.status == CaseStatus.CLOSED:
            raise self._closed(actor, case)
        holds = case.expert_id == actor.telegram_id and case.status == CaseStatus.OPEN
        if holds or (staff_may and actor.is_staff):
            return holds
        raise await self._stranger(actor, case)

    async def check_holder(self, actor: Actor, case: Case) -> None:
        """Refuses unless the actor holds the open case (before offering them its choices)."""
        await self._held(actor, case, staff_may=False)

    async def _record(self, actor: Actor, action: str, before: Case, after: Case,
                      **extra: object) -> None:
        if not (actor.is_staff or action in AUDITED_FOR_EVERYONE):
            return
        if actor.operator is not None:
            extra["operator"] = actor.operator
        entry = case_changed(action, before, after, **extra)
        await self._audit.record(actor.telegram_id, entry.action, entry.target, entry.detail,
                                 channel=actor.channel)

    # ------------------------------------------------------------------ the doors

    async def claim(self, actor: Actor, ref: int | str) -> ActionResult:
        """First claim wins; only someone offered the case (or staff in the staff group)."""
        case = await self.find(ref)
        outcome = await self._cases.claim(case.id, actor.telegram_id, actor.roles,
                                          actor.in_staff_chat)
        if outcome.result == "won":
            return ActionResult(case, await self._reloaded(case))
        if outcome.result == "unreachable":  # the claim is undone, the case waits again
            raise Refused("hotline.claim.start_private_chat"
                          if outcome.reason in FINAL_FAILURES else "hotline.claim.try_again")
        if outcome.result == "taken":
            now = outcome.case or case
            if now.status == CaseStatus.CLOSED:
                raise Refused(CLOSED_FOR_EXPERT, number=now.number)
            raise Refused("hotline.claim.taken")
        raise Refused("hotline.claim.refused")

    async def close(self, actor: Actor, ref: int | str) -> ActionResult:
        """By its asker (/end), its expert (Close) or staff (the expert is told as well)."""
        case = await self.find(ref)
        if actor.telegram_id == case.asker_id and not actor.is_staff:
            if case.status == CaseStatus.CLOSED:
                raise Refused(CLOSED_FOR_ASKER, number=case.number)
            by = "asker"
        else:
            by = "expert" if await self._held(actor, case, staff_may=True) else "staff"
        if not await self._cases.close(case, by):
            raise self._closed(actor, await self._reloaded(case))
        if by == "staff" and case.expert_id is not None:
            await self._cases.messenger.notify(
                case.expert_id, "hotline.console.closed_by_staff", number=case.number,
                reply_to=case.expert_anchor_id)
        after = await self._reloaded(case)
        await self._record(actor, "close", case, after, by=by)
        return ActionResult(case, after)

    async def reassign(self, actor: Actor, ref: int | str, expert_id: int,
                       handoff: Handoff | None = None) -> ActionResult:
        """To another expert of the case's category: staff (a waiting case is claimed for
        them, an open one handed over) or the expert holding it (Transfer → an expert)."""
        case = await self.find(ref)
        await self._held(actor, case, staff_may=True)
        expert = await self._experts.get(expert_id)
        # The one place that says a case goes only to an expert of its category.
        if expert is None:
            raise Refused("console_ops.cases.error.not_expert", "expert")
        if case.category not in expert.categories:
            raise Refused("console_ops.cases.error.other_category", "expert", name=expert.name)
        if expert_id == case.asker_id:
            raise Refused("console_ops.cases.error.is_asker", "expert")
        if expert_id == case.expert_id:
            raise Refused("console_ops.cases.error.same_expert", "expert", name=expert.name)
        await self._cases.keep_handoff(case, actor.telegram_id, "reassign", handoff)
        if not await self._cases.reassign(case.id, expert_id):
            now = await self._reloaded(case)
            if case.status == now.status == CaseStatus.OFFERED:  # the claim for them undone
                raise Refused("console_ops.cases.error.unreachable", "expert", name=expert.name)
            raise Refused(CHANGED, number=case.number)
        after = await self._reloaded(case)
        await self._record(actor, "reassign", case, after)
        return ActionResult(case, after)

    async def transfer(self, actor: Actor, ref: int | str, category: str,
                       handoff: Handoff | None = None) -> ActionResult:
        """To the queue of another category: the expert holding it, or staff (a waiting case
        moves queues; the expert of an open one is told)."""
        case = await self.find(ref)
        holds = await self._held(actor, case, staff_may=True)
        target = await self._experts.category(category)
        if target is None or not target.active:
            raise Refused("console_ops.cases.error.unknown_category", "category")
        if category == case.category:
            raise Refused("console_ops.cases.error.same_category", "category")
        await self._cases.keep_handoff(case, actor.telegram_id, "transfer", handoff)
        if case.status == CaseStatus.OFFERED:
            # Nobody holds it yet: it moves queues, and is offered afresh in the new one.
            if not await self._waiting.move(case, category):
                raise Refused(CHANGED, number=case.number)
        else:
            expert_id = case.expert_id
            if expert_id is None or not await self._cases.transfer(case, expert_id, category):
                raise Refused(CHANGED, number=case.number)
            if not holds:
                await self._cases.messenger.notify(
                    expert_id, "hotline.console.transferred_by_staff", number=case.number,
                    reply_to=case.expert_anchor_id)
        after = await self._reloaded(case)
        await self._record(actor, "transfer", case, after)
        return ActionResult(case, after)

    async def escalate(self, actor: Actor, ref: int | str,
                       handoff: Handoff | None = None) -> ActionResult:
        """The expert holding an open case hands it to staff (the staff group's Claim)."""
        case = await self.find(ref)
        await self._held(actor, case, staff_may=False)
        await self._cases.keep_handoff(case, actor.telegram_id, "escalate", handoff)
        if not await self._cases.escalate_to_staff(case):
            raise Refused(CHANGED, number=case.number)
        after = await self._reloaded(case)
        await self._record(actor, "escalate", case, after)
        return ActionResult(case, after)

    async def take_over(self, actor: Actor, ref: int | str) -> ActionResult:
        """Staff take the case: a waiting one is claimed for them, an open one handed over
        (in the bot only from the case's topic in the staff group)."""
        case = await self.find(ref)
        if not actor.is_staff or (actor.channel == BOT and not actor.in_staff_chat):
            raise Refused(NOT_ALLOWED)
        if case.status == CaseStatus.CLOSED:
            raise self._closed(actor, case)
        if case.expert_id == actor.telegram_id:
            raise Refused("hotline.stale.already_yours", number=case.number)
        if not await self._cases.take_over(case.id, actor.telegram_id):
            raise Refused(CHANGED, number=case.number)
        after = await self._reloaded(case)
        await self._record(actor, "take_over", case, after)
        return ActionResult(case, after)

    async def release(self, actor: Actor, ref: int | str) -> ActionResult:
        """The expert gives up their hold (or staff take it from them): the case is offered
        afresh in its category, as when an offer's time runs out."""
        case = await self.find(ref)
        holds = await self._held(actor, case, staff_may=True)
        if case.status != CaseStatus.OPEN:
            raise Refused("hotline.release.not_held", number=case.number)
        if not await self._cases.release(case, by_staff=not holds):
            raise Refused(CHANGED, number=case.number)
        after = await self._reloaded(case)
        await self._record(actor, "release", case, after)
        return ActionResult(case, after)

    async def reopen(self, actor: Actor, ref: int | str) -> ActionResult:
        """The asker within 48 hours of closing; staff at any time (for its expert while
        they are on the roster, else offered afresh)."""
        case = await self.find(ref)
        if actor.is_staff and actor.telegram_id != case.asker_id:
            if case.status != CaseStatus.CLOSED:
                raise Refused("hotline.reopen.not_closed", number=case.number)
            if not await self._cases.reopen_by_staff(case):
                raise Refused(CHANGED, number=case.number)
            after = await self._reloaded(case)
            await self._record(actor, "reopen", case, after)
            return ActionResult(case, after)
        outcome = await self._cases.reopen(case.id, actor.telegram_id)
        if outcome.result == "reopened" and outcome.case is not None:
            return ActionResult(case, outcome.case)
        if outcome.result == "not_yours":
            raise Refused(NOT_ALLOWED)
        raise Refused(ASKER_REOPEN_REFUSALS[outcome.result], number=case.number)

    async def block(self, actor: Actor, telegram_id: int, reason: str) -> None:
        """Bars a person from the hotline (staff, the CLI); an expert must lose the role
        first."""
        if not actor.is_staff:
            raise Refused(NOT_ALLOWED)
        if await self._experts.get(telegram_id) is not None:
            raise Refused("hotline.block.is_expert", "telegram_id", telegram_id=telegram_id)
        await self._cases.block(telegram_id, reason[:256])
        await self._audit.record(actor.telegram_id, "cases.block", str(telegram_id),
                                 self._detail(actor, reason=reason[:256]),
                                 channel=actor.channel)

    async def unblock(self, actor: Actor, telegram_id: int) -> bool:
        if not actor.is_staff:
            raise Refused(NOT_ALLOWED)
        changed = await self._cases.unblock(telegram_id)
        if changed:
            await self._audit.record(actor.telegram_id, "cases.unblock", str(telegram_id),
                                     self._detail(actor), channel=actor.channel)
        return changed

    @staticmethod
    def _detail(actor: Actor, **values: object) -> dict[str, object]:
        return {**({"operator": actor.operator} if actor.operator else {}), **values}


ASKER_REOPEN_REFUSALS = {
    "already_open": "hotline.reopen.already_open",
    "too_late": "hotline.reopen.refused",
    "never_answered": "hotline.reopen.never_answered",
}
