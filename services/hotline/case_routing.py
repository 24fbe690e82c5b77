"""Routing a case in steps, each with a deadline kept in the case row (so a restart loses
nothing): level 0 the experts on duty for the category; level 1 the category's other
experts (the backups); level 2 the staff group (a topic with the same Claim button) or, with
no staff group, the admins. The asker is told at each step what is happening.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from services.hotline.case_cards import CaseCards, FallbackFor, card_category
from services.hotline.experts import ExpertService
from services.hotline.messenger import CaseCard
from services.hotline.offer_deadline import deadline_text
from services.hotline.roster import RosterService
from services.people import PeopleService
from storage.models import Case, CaseStatus, Role, utcnow
from storage.repositories.hotline_cases import CaseRepository

log = logging.getLogger(__name__)

ON_DUTY, BACKUPS, STAFF = 0, 1, 2


@dataclass(slots=True)
class OfferRound:
    """The result of offering a case to some people: how many got it, who could not."""

    sent: int = 0
    undelivered: list[tuple[int, str]] = field(default_factory=list)


class CaseRouting:
    def __init__(self, cards: CaseCards, cases: CaseRepository, experts: ExpertService,
                 roster: RosterService, people: PeopleService, *,
                 claim_timeout: timedelta, staff_chat_id: int | None,
                 fallback_for: FallbackFor | None = None) -> None:
        self._cards = cards
        self._fallback_for = fallback_for
        self.repository = cases
        self._experts = experts
        self._roster = roster
        self._people = people
        self.claim_timeout = claim_timeout
        self.staff_chat_id = staff_chat_id

    def backstop(self, now: datetime | None = None) -> datetime:
        """The claim deadline a case is given in the very change that makes it wait (new,
        released, reopened, transferred, moved): its offers go out after that commit, and a
        process killed before they do must leave a case the escalation check will find and
        offer one step up, never one that waits for nobody. Routing that gets as far as an
        offer sets the real deadline of its step."""
        return (now or utcnow()) + self.claim_timeout

    async def route_new(self, case: Case, card: CaseCard, now: datetime) -> None:
        """A new case goes first to the category's experts on duty (not the asker); off
        hours the asker is told when the next shift begins, and it goes one step up."""
        await self._open_staff_topic(case, card)
        on_duty = [e for e in await self._roster.on_duty(case.category, now)
                   if e != case.asker_id]
        if not on_duty:
            await self._tell_off_hours(case, card, now)
            if await self._offer_to_fallback(case, card, now, skip=(case.asker_id,)):
                return
            # The off-hours reply already says the question goes on to others.
            await self._escalate(case, ON_DUTY, card, quiet=True)
            return
        await self.repository.changes.escalate(case.id, ON_DUTY, ON_DUTY, now + self.claim_timeout)
        offered = await self._offer(case, card, on_duty, ON_DUTY)
        if offered.sent:
            await self._cards.tell(case, case.asker_id, "hotline.case.offered",
                                   count=offered.sent, category=card_category(
                                       card, await self._cards.locale_of(case.asker_id)))
            return
        await self._escalate(case, ON_DUTY, card, offered.undelivered)

    async def _next_shift(self, case: Case, now: datetime) -> str | None:
        begins = await self._roster.next_shift_start(case.category, now)
        return begins.strftime("%Y-%m-%d %H:%M") if begins is not None else None

    async def _tell_off_hours(self, case: Case, card: CaseCard, now: datetime) -> None:
        locale = await self._cards.locale_of(case.asker_id)
        next_shift = await self._next_shift(case, now)
        if next_shift is None:
            await self._cards.tell(case, case.asker_id, "hotline.case.nobody_on_duty")
            return
        await self._cards.tell(case, case.asker_id, "hotline.case.off_hours",
                               category=card_category(card, locale), next_shift=next_shift)

    async def _offer(self, case: Case, card: CaseCard, experts: list[int], level: int,
                     kind: str = "offer") -> OfferRound:
        offered = OfferRound()
        card = await self._with_deadline(case, card, level)
        for expert_id in experts:
            delivery = await self._cards.messenger.send_card(expert_id, kind, card)
            if delivery.message_id is not None:
                await self.repository.add_offer(case.id, expert_id, expert_id,
                                                delivery.message_id, level)
                offered.sent += 1
            else:
                log.warning("offer of case %s to expert %s failed: %s", case.number, expert_id,
                            delivery.failure)
                offered.undelivered.append((expert_id, delivery.failure or "network"))
        self._cards.events.publish(case.id)
        return offered

    async def offer_in_category(self, case: Case, card: CaseCard, skip: tuple[int, ...]) -> None:
        """Offers a case that starts over in its category's queue (after a transfer, by its
        expert or by staff) to the experts on duty, else one step up; the asker is told where
        it went and, when nobody of the category is on duty, when the next shift begins."""
        now = utcnow()
        locale = await self._cards.locale_of(case.asker_id)
        category = card_category(card, locale)
        on_duty = [e for e in await self._roster.on_duty(case.category, now) if e not in skip]
        if on_duty:
            await self._cards.tell(case, case.asker_id, "hotline.transfer.asker", category=category)
            await self.repository.changes.escalate(case.id, ON_DUTY, ON_DUTY,
                                                   now + self.claim_timeout)
            offered = await self._offer(case, card, on_duty, ON_DUTY)
            if not offered.sent:
                await self._escalate(case, ON_DUTY, card, offered.undelivered)
            return
        next_shift = await self._next_shift(case, now)
        if next_shift is None:
            await self._cards.tell(case, case.asker_id, "hotline.transfer.asker_nobody_on_duty",
                                   category=category)
        else:
            await self._cards.tell(case, case.asker_id, "hotline.transfer.asker_off_hours",
                                   category=category, next_shift=next_shift)
        if await self._offer_to_fallback(case, card, now, skip=skip):
            return
        # The asker was just told the question goes on to others: no second notice now.
        await self._escalate(case, ON_DUTY, card, quiet=True)

    # ------------------------------------------------------------------ nobody on duty

    async def _offer_to_fallback(self, case: Case, card: CaseCard, now: datetime,
                                 skip: tuple[int, ...]) -> bool:
        """Nobody of the category on duty: its fallback (services/hotline/fallback.py) gets
        the usual offer and timeout first; False when there is none to offer it to."""
        person = await self._fallback_for(case.category) if self._fallback_for else None
        if person is None or person in skip or person == case.asker_id:
            return False
        if not await self.repository.changes.escalate(case.id, ON_DUTY, ON_DUTY,
                                                      now + self.claim_timeout):
            return False
        offered = await self._offer(case, card, [person], ON_DUTY)
        if not offered.sent:
            await self._escalate(case, ON_DUTY, card, offered.undelivered, quiet=True)
        return True

    async def move_on(self, case_id: int) -> bool:
        """One step up now, as if the claim deadline had passed (every offer of the step
        declined: services/hotline/offer_decline.py)."""
        case = await self.repository.get(case_id)
        if case is None or case.escalate_at is None:
            return False
        return await self._escalate(case, case.escalation_level, await self._cards.card(case))

    async def _with_deadline(self, case: Case, card: CaseCard, level: int) -> CaseCard:
        """The offer says when it goes to others: the step's deadline, in the roster's zone."""
        current = await self.repository.get(case.id) if level < STAFF else None
        if current is None or current.escalate_at is None:
            return card
        return replace(card, offer_until=deadline_text(current.escalate_at, self._roster.zone))

    async def offer_afresh(self, case: Case, card: CaseCard, skip: tuple[int, ...]) -> None:
        """A case waiting again in its own category (released, or reopened without its
        expert): the experts on duty, else one step up, as when an offer's time runs out;
        the asker has already been told."""
        now = utcnow()
        on_duty = [e for e in await self._roster.on_duty(case.category, now) if e not in skip]
        if on_duty:
            await self.repository.changes.escalate(case.id, ON_DUTY, ON_DUTY,
                                                   now + self.claim_timeout)
            offered = await self._offer(case, card, on_duty, ON_DUTY)
            if not offered.sent:
                await self._escalate(case, ON_DUTY, card, offered.undelivered, quiet=True)
            return
        await self._escalate(case, ON_DUTY, card, quiet=True)

    async def escalate_to_staff(self, case: Case) -> bool:
        """The expert holding an open case hands it to staff: it waits for a claim in the
        staff group (or by the admins), and the expert's part is over."""
        holder = case.expert_id
        if holder is None or not await self.repository.changes.release(case.id, holder,
                                                                     self.backstop()):
            return False
        await self.repository.changes.escalate(case.id, ON_DUTY, STAFF, None)
        await self.repository.log.log_event(case.id, "to_staff", holder)
        await self._cards.drop_buttons(holder, case.expert_anchor_id)
        if await self._experts.active_case(holder) == case.id:
            await self._experts.set_active_case(holder, None)
        moved = await self.repository.get(case.id)
        assert moved is not None
        await self._cards.mirror_note(moved, "hotline.escalated.staff")
        await self._offer_to_staff(moved, await self._cards.card(moved), [], quiet=False)
        return True

    # ------------------------------------------------------------------ escalation

    async def escalate_due(self, now: datetime | None = None) -> int:
        """Moves every case whose claim deadline passed one step up; returns how many."""
        moved = 0
        for case in await self.repository.due(now or utcnow()):
            card = await self._cards.card(case)
            if case.escalation_level == STAFF:  # nobody was reachable: staff, once more
                if await self.repository.changes.postpone(case.id, STAFF, case.escalate_at,
                                                          None):
                    await self._offer_to_staff(case, card, [], quiet=False, retry=True)
                    moved += 1
            elif await self.unoffered(case):
                if await self.resume(case, card):
                    moved += 1
            elif await self._escalate(case, case.escalation_level, card):
                moved += 1
        return moved

    async def unoffered(self, case: Case) -> bool:
        """Waiting at its first step with no offer made since it began waiting."""
        if case.status != CaseStatus.OFFERED or case.escalation_level != ON_DUTY:
            return False
        since = case.waiting_since or case.created_at
        return not any(o.created_at >= since for o in await self.repository.offers(case.id))

    async def resume(self, case: Case, card: CaseCard) -> bool:
        """The case's deadline passed with no offer made since it began waiting: the change
        that made it wait committed and the process died before its offers went out. It gets
        the step it missed, not the next one: a new case is routed as new (the asker hears
        who has it), a case waiting again is offered afresh in its category."""
        assert case.id is not None
        now = utcnow()
        if not await self.repository.changes.postpone(case.id, ON_DUTY, case.escalate_at,
                                                      self.backstop(now)):
            return False  # another checker took it, or it was claimed meanwhile
        log.warning("case %s: its offers were never sent (the process stopped?); sending "
                    "them now", case.number)
        if await self.repository.offers(case.id):
            await self.offer_afresh(case, card, skip=(case.asker_id,))
        else:
            await self.route_new(case, card, now)
        return True

    async def _escalate(self, case: Case, level: int, card: CaseCard,
                        undelivered: list[tuple[int, str]] | None = None, *,
                        quiet: bool = False) -> bool:
        """One step up from `level`; the conditional UPDATE makes a racing checker a no-op.
        `undelivered`: offers of this round that never arrived, for the staff card; `quiet`:
        the asker has just been told what happens next (off hours), so no step notice."""
        undelivered = list(undelivered or [])
        if level == ON_DUTY:
            already = {o.expert_id for o in await self.repository.offers(case.id)}
            already |= {expert_id for expert_id, _ in undelivered}
            already |= await self._roster.on_leave(utcnow())
            backups = [e.telegram_id for e in await self._experts.of_category(case.category)
                       if not e.stepped_off and e.telegram_id not in already
                       and e.telegram_id != case.asker_id]
            if backups:
                if not await self.repository.changes.escalate(case.id, level, BACKUPS,
                                                              utcnow() + self.claim_timeout):
                    return False
                offered = await self._offer(case, card, backups, BACKUPS)
                if offered.sent:
                    if not quiet:
                        await self._cards.tell(case, case.asker_id, "hotline.case.to_backups")
                    return True
                undelivered += offered.undelivered
                level = BACKUPS
        if not await self.repository.changes.escalate(case.id, level, STAFF, None):
            return False
        await self._offer_to_staff(case, card, undelivered, quiet=quiet)
        return True

    async def restore_offers(self, case: Case) -> None:
        """A claim undone (the claimer could not be written to): the offers of this waiting
        period, already saying "taken", get their Claim button back, so the case waits as
        before, under its claim deadline."""
        since = case.waiting_since or case.created_at
        card = await self._cards.card(case)
        for offer in await self.repository.offers(case.id):
            if offer.created_at < since:
                continue
            if offer.level == STAFF:
                kind, shown = "staff_offer", await self._staff_card(case, card, [])
            else:
                kind, shown = "offer", await self._with_deadline(case, card, offer.level)
            await self._cards.messenger.edit_card(offer.chat_id, offer.message_id, kind, shown)

    async def _staff_card(self, case: Case, card: CaseCard,
                          undelivered: list[tuple[int, str]]) -> CaseCard:
        """The card as staff see it: who had the offer, and whom it could not reach."""
        offered = sum(1 for o in await self.repository.offers(case.id)
                      if o.expert_id is not None)
        names = []
        for expert_id, failure in undelivered:
            expert = await self._experts.get(expert_id)
            names.append((expert.name if expert is not None else str(expert_id), failure))
        return replace(card, offered=offered, undelivered=tuple(names))

    async def _offer_to_staff(self, case: Case, card: CaseCard,
                              undelivered: list[tuple[int, str]], *, quiet: bool,
                              retry: bool = False) -> None:
        """The staff group's offer (the admins' when the group cannot be reached). When
        nobody can be reached, the asker is told once and the case is offered to staff
        again at every claim deadline until someone is (`retry`: one of those)."""
        staff_card = await self._staff_card(case, card, undelivered)
        if self.staff_chat_id is not None:
            thread_id = await self._open_staff_topic(case, card)
            delivery = await self._cards.messenger.send_card(self.staff_chat_id, "staff_offer",
                                                             staff_card, thread_id=thread_id)
            if delivery.message_id is not None:
                await self.repository.add_offer(case.id, None, self.staff_chat_id,
                                                delivery.message_id, STAFF)
                if not quiet:
                    await self._cards.tell(case, case.asker_id, "hotline.case.to_staff")
                return
        admins = [p.telegram_id for p in await self._people.list_people(Role.ADMIN)
                  if p.telegram_id != case.asker_id]
        # Admins stand in for the staff group: the same card, saying what happened.
        if (await self._offer(case, staff_card, admins, STAFF, "staff_offer")).sent:
            if not quiet:
                await self._cards.tell(case, case.asker_id, "hotline.case.to_staff")
            return
        again = self.backstop()
        log.error("case %s: no expert, no staff group and no admin could be reached; "
                  "trying again at %s", case.number, again.isoformat())
        await self.repository.changes.postpone(case.id, STAFF, None, again)
        if not retry:
            await self._cards.tell(case, case.asker_id, "hotline.case.nobody_reachable")

    async def _open_staff_topic(self, case: Case, card: CaseCard) -> int | None:
        """The case's topic in the staff group, made once; it mirrors the conversation."""
        if self.staff_chat_id is None:
            return None
        current = await self.repository.get(case.id)
        if current is not None and current.staff_thread_id is not None:
            return current.staff_thread_id
        thread_id = await self._cards.messenger.create_topic(
            self.staff_chat_id, f"{case.number} · {card.category_zh}")
        if thread_id is None:
            return None
        await self.repository.changes.set_fields(case.id, staff_thread_id=thread_id)
        case.staff_thread_id = thread_id
        await self._cards.messenger.send_card(self.staff_chat_id, "staff_topic", card,
                                              thread_id=thread_id)
        for held in await self.repository.transcript.held(case.id):
            mirror = await self._cards.messenger.copy(self.staff_chat_id, held.source_chat_id,
                                                      held.source_message_id, thread_id=thread_id)
            await self.repository.transcript.update_message(
                held.id, mirror_message_id=mirror.message_id)
        return thread_id
