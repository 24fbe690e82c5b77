"""The asker's "closed, please rate" card, owed from the closing until it arrives.

The closing stores that the card is owed (Case.closed_card_due, in the same UPDATE); the door
that closed the case sends it at once, and the hotline's check sends whatever a failed send
or a killed process left owed. A lease on that column makes one sender of two: a door and
the check, or two processes. An asker who blocked the bot is not tried again, and a card
still not through after GIVE_UP_AFTER is dropped with a warning: by then it would report
old news and offer a reopening that has lapsed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from services.hotline.case_cards import CaseCards
from storage.models import Case, CaseStatus, utcnow
from storage.repositories.hotline_cases import CaseRepository
from storage.timestamps import as_utc

log = logging.getLogger(__name__)

# A process that took a card and died leaves its lease: another sends it after this.
LEASE = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(days=3)


class ClosedCards:
    def __init__(self, cards: CaseCards, cases: CaseRepository) -> None:
        self._cards = cards
        self._cases = cases

    async def send(self, case_id: int, now: datetime | None = None) -> bool:
        """Sends the case's closed card if it is owed and nobody else is sending it; True
        when it arrived now."""
        case = await self._cases.get(case_id)
        return case is not None and await self._send(case, now or utcnow())

    async def send_owed(self, now: datetime | None = None) -> int:
        """Every closed card owed (failed for now, or left by a killed process); returns how
        many arrived."""
        now = now or utcnow()
        return sum([await self._send(case, now)
                    for case in await self._cases.closed_cards_owed(now)])

    async def _send(self, case: Case, now: datetime) -> bool:
        due = case.closed_card_due
        if case.status != CaseStatus.CLOSED or due is None or as_utc(due) > now:
            return False
        assert case.id is not None and case.closed_at is not None
        lease = now + LEASE
        if not await self._cases.changes.lease_closed_card(case.id, due, lease):
            return False
        if now - as_utc(case.closed_at) > GIVE_UP_AFTER:
            log.warning("case %s: the closed card never reached the asker; given up",
                        case.number)
            await self._cases.changes.settle_closed_card(case.id, lease, None)
            return False
        delivery = await self._cards.messenger.send_card(case.asker_id, "closed_asker",
                                                         await self._cards.card(case))
        if delivery.message_id is not None:
            await self._cases.changes.settle_closed_card(case.id, lease, None,
                                                         delivery.message_id)
            # After a reopening, a reply to the card routes to the case.
            await self._cases.history.add_copy(case.id, case.asker_id, delivery.message_id)
            return True
        if delivery.final:
            log.warning("case %s: the asker cannot be sent the closed card (%s)", case.number,
                        delivery.failure)
            await self._cases.changes.settle_closed_card(case.id, lease, None)
        else:
            log.warning("case %s: the closed card did not arrive (%s); the next check tries "
                        "again", case.number, delivery.failure)
            await self._cases.changes.settle_closed_card(case.id, lease, now)
        return False
