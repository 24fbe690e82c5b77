"""Shift swaps inside Telegram (issue 15, item 3).

An expert (or staff on their behalf) offers one of their coming shifts; the other experts of
its categories get the offer with Accept. The first Accept takes it: the offer goes from open
to taken by one conditional UPDATE, so of two pressing at once exactly one wins and the
other is told it was taken. The roster's overrides then record it (the offerer off for the
shift's hours, their other shifts that day kept; the taker on for those hours in the
categories they answer). An offer nobody takes
before the shift starts is withdrawn by the periodic check, and staff are warned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from services.actors import Actor
from services.audit import AuditLog
from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService, ExpertView
from services.hotline.messenger import CaseMessenger
from services.hotline.roster import Duty, RosterService, minutes
from services.people import PeopleService
from services.refusals import Refused
from storage.models import Role, utcnow
from storage.repositories.roster_duty import (
    EXPIRED,
    OPEN,
    TAKEN,
    WITHDRAWN,
    RosterDutyRepository,
    SwapRow,
)

log = logging.getLogger(__name__)

# The shifts an expert may offer: those of the next two weeks that have not started.
OFFER_DAYS = 14
STAFF_ROLES = frozenset({Role.STAFF.value, Role.ADMIN.value})
# Callback data of the buttons (handlers/roster_swaps.py parses them back).
TAKE, WITHDRAW, PICK = "rswap:take", "rswap:drop", "rswap:pick"
# Why a press on an offer that is no longer open changes nothing.
CLOSED_REASONS = {TAKEN: "roster.swap.already_taken", WITHDRAWN: "roster.swap.withdrawn",
                  EXPIRED: "roster.swap.expired"}


@dataclass(frozen=True, slots=True)
class OfferedShift:
    day: date
    duty: Duty

    @property
    def pick_data(self) -> str:
        return f"{self.day:%Y%m%d}:{self.duty.start.replace(':', '')}"


class ShiftSwaps:
    def __init__(self, duty: RosterDutyRepository, roster: RosterService,
                 experts: ExpertService, people: PeopleService, audit: AuditLog,
                 cases: CaseService,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._duty = duty
        self._roster = roster
        self._experts = experts
        self._people = people
        self._audit = audit
        self._cases = cases  # its messenger and staff chat: the bot's one send path
        self._clock = clock

    @property
    def _messenger(self) -> CaseMessenger:
        return self._cases.messenger

    async def _is_staff(self, actor: Actor) -> bool:
        person = await self._people.get(actor.telegram_id)
        return person is not None and bool(STAFF_ROLES & person.roles)

    async def _expert_for(self, actor: Actor, expert_id: int) -> ExpertView:
        """The expert whose shift it is, once the actor may act for them."""
        if actor.telegram_id != expert_id and not await self._is_staff(actor):
            raise Refused("roster.swap.not_allowed")
        expert = await self._experts.get(expert_id)
        if expert is None:
            raise Refused("roster.swap.not_expert", id=expert_id)
        return expert

    def _starts_at(self, day: date, start: str) -> datetime:
        value = minutes(start)
        return datetime.combine(day, time(value // 60, value % 60), self._roster.zone)

    async def offerable(self, actor: Actor, expert_id: int) -> list[OfferedShift]:
        """The expert's shifts of the next two weeks that have not started yet."""
        await self._expert_for(actor, expert_id)
        now = self._clock()
        today = now.astimezone(self._roster.zone).date()
        return [OfferedShift(day, duty)
                for day, duty in await self._roster.shifts_of(expert_id, today, OFFER_DAYS)
                if self._starts_at(day, duty.start) > now]

    async def offer(self, actor: Actor, expert_id: int, day: date,
                    start: str) -> tuple[SwapRow, int]:
        """Offers the shift to the other experts of its categories; (the offer, how many
        were told). Refused when the shift is not the expert's, has begun or is offered."""
        expert = await self._expert_for(actor, expert_id)
        shift = next((s for s in await self.offerable(actor, expert_id)
                      if s.day == day and s.duty.start == start), None)
        if shift is None:
            raise Refused("roster.swap.no_such_shift")
        if await self._duty.open_swap_of(expert_id, day, start) is not None:
            raise Refused("roster.swap.already_offered", day=day.isoformat(), start=start)
        duty = shift.duty
        on_leave = await self._roster.on_leave(self._starts_at(day, start))
        candidates = [e for e in await self._experts.all()
                      if e.telegram_id != expert_id and not e.stepped_off
                      and e.telegram_id not in on_leave
                      and set(e.categories) & set(duty.categories)]
        if not candidates:
            raise Refused("roster.swap.nobody")
        swap = await self._duty.add_swap(expert_id, day, duty.start, duty.end,
                                         duty.categories, self._starts_at(day, duty.start),
                                         actor.telegram_id)
        await self._record(actor, "roster.swap_offer", swap)
        values = {"name": expert.name, "day": day.isoformat(), "start": swap.start,
                  "end": swap.end}
        told = 0
        for candidate in candidates:
            delivery = await self._messenger.notify_with_buttons(
                candidate.telegram_id, "roster.swap.offer",
                (("roster.swap.accept", f"{TAKE}:{swap.id}"),), **values)
            told += delivery.ok
        await self._messenger.notify_with_buttons(
            expert_id, "roster.swap.offered", (("roster.swap.withdraw",
                                                f"{WITHDRAW}:{swap.id}"),),
            count=told, **{k: v for k, v in values.items() if k != "name"})
        await self._tell_staff("roster.swap.staff_offered", **values)
        return swap, told

    async def take(self, actor: Actor, swap_id: int) -> SwapRow:
        """The first Accept takes the shift; any later (or simultaneous) one is refused."""
        swap = await self._duty.swap(swap_id)
        if swap is None:
            raise Refused("roster.swap.gone")
        taker = await self._experts.get(actor.telegram_id)
        if (taker is None or taker.telegram_id == swap.expert_id
                or not set(taker.categories) & set(swap.categories)):
            raise Refused("roster.swap.not_for_you")
        now = self._clock()
        if swap.status != OPEN:
            raise Refused(CLOSED_REASONS.get(swap.status, "roster.swap.gone"))
        if swap.starts_at <= now:
            raise Refused("roster.swap.expired")
        if not await self._duty.decide(swap_id, TAKEN, now, taker.telegram_id):
            current = await self._duty.swap(swap_id)
            status = current.status if current is not None else TAKEN
            raise Refused(CLOSED_REASONS.get(status, "roster.swap.already_taken"))
        categories = tuple(c for c in swap.categories if c in taker.categories)
        # Off for this shift's hours only: another shift of the offerer that day stays theirs.
        await self._roster.add_override(swap.day, swap.expert_id, "off", (), swap.start,
                                        swap.end)
        await self._roster.add_override(swap.day, taker.telegram_id, "on", categories,
                                        swap.start, swap.end)
        await self._record(actor, "roster.swap_take", swap, taker=taker.telegram_id)
        offerer = await self._experts.get(swap.expert_id)
        values = {"day": swap.day.isoformat(), "start": swap.start, "end": swap.end}
        await self._messenger.notify(swap.expert_id, "roster.swap.taken_offerer",
                                     taker=taker.name, **values)
        await self._tell_staff("roster.swap.staff_taken", taker=taker.name,
                               name=offerer.name if offerer else str(swap.expert_id),
                               **values)
        return swap

    async def withdraw(self, actor: Actor, swap_id: int) -> SwapRow:
        """The offerer (or staff) takes an open offer back."""
        swap = await self._duty.swap(swap_id)
        if swap is None:
            raise Refused("roster.swap.gone")
        await self._expert_for(actor, swap.expert_id)
        if swap.status != OPEN or not await self._duty.decide(swap_id, WITHDRAWN,
                                                              self._clock()):
            current = await self._duty.swap(swap_id)
            status = current.status if current is not None else ""
            raise Refused(CLOSED_REASONS.get(status, "roster.swap.gone"))
        await self._record(actor, "roster.swap_withdraw", swap)
        return swap

    async def expire_due(self, now: datetime | None = None) -> int:
        """Withdraws the offers whose shift has begun untaken; warns staff and the offerer."""
        now = now or self._clock()
        expired = 0
        for swap in await self._duty.open_swaps_starting_by(now):
            if not await self._duty.decide(swap.id, EXPIRED, now):
                continue  # taken or withdrawn a moment ago
            expired += 1
            expert = await self._experts.get(swap.expert_id)
            values = {"day": swap.day.isoformat(), "start": swap.start, "end": swap.end}
            await self._messenger.notify(swap.expert_id, "roster.swap.expired_offerer",
                                         **values)
            await self._tell_staff("roster.swap.staff_expired",
                                   name=expert.name if expert else str(swap.expert_id),
                                   **values)
        return expired

    async def _tell_staff(self, key: str, **values: object) -> None:
        staff_chat = self._cases.staff_chat_id
        if staff_chat is None:
            return
        delivery = await self._messenger.notify(staff_chat, key, **values)
        if not delivery.ok:
            log.warning("%s did not reach the staff group (%s)", key, delivery.failure)

    async def _record(self, actor: Actor, action: str, swap: SwapRow, **detail: object) -> None:
        await self._audit.record(
            actor.telegram_id, action, target=f"{swap.expert_id} swap {swap.day}",
            detail={"swap": swap.id, "start": swap.start, "end": swap.end, **actor.note,
                    **detail}, channel=actor.channel)

