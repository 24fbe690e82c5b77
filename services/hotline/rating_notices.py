"""The quality loop after a rating (issue 15 items 5 and 7): the expert who answered is told
the stars and, when it follows, the comment; a rating of 1 or 2 stars goes to the case's
staff topic at once with a link to the transcript (the console's case page), and its
comment follows it there.

What a rating owes is stored with it (CaseRating.notice, in the same write as the stars or
the comment): the door that took the rating sends it at once, and the hotline's check sends
whatever a failed send or a killed process left owed. Each of the expert and staff is told
once (notice_told); a lease on notice_due makes one sender of two. A recipient who blocked
the bot is not tried again, and a notice still not through after GIVE_UP_AFTER is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from services.hotline.cases import CaseService
from services.hotline.messenger import FINAL_FAILURES, Delivery
from services.people import PeopleService
from storage.models import Case, CaseRating, Role, utcnow
from storage.timestamps import as_utc

log = logging.getLogger(__name__)

LOW_STARS = 2
# Case number -> the console's page of the case (its transcript), for the staff topic.
CaseLink = Callable[[str], str]
LEASE = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(days=3)
EXPERT, STAFF = "expert", "staff"


class RatingNotices:
    def __init__(self, cases: CaseService, people: PeopleService, case_link: CaseLink) -> None:
        self._cases = cases
        self._people = people
        self._case_link = case_link

    async def rated(self, case_id: int) -> None:
        """Right after the asker's stars were kept."""
        await self._send_of_case(case_id)

    async def commented(self, case_id: int) -> None:
        """Right after the asker's comment on their rating was kept."""
        await self._send_of_case(case_id)

    async def send_owed(self, now: datetime | None = None) -> int:
        """Every rating notice still owed; returns how many were completed."""
        now = now or utcnow()
        history = self._cases.repository.history
        return sum([await self._send(rating, now)
                    for rating in await history.ratings_owing(now)])

    async def _send_of_case(self, case_id: int) -> None:
        case = await self._cases.repository.get(case_id)
        if case is None:
            return
        rating = await self._cases.repository.history.rating_of_closing(case)
        if rating is not None:
            await self._send(rating, utcnow(), case)

    async def _send(self, rating: CaseRating, now: datetime, case: Case | None = None) -> bool:
        """Tells whoever the rating's notice is still owed to; True when all are told."""
        history = self._cases.repository.history
        due = rating.notice_due
        if rating.notice is None or due is None or as_utc(due) > now:
            return False
        assert rating.id is not None
        lease = now + LEASE
        if not await history.lease_rating_notice(rating.id, due, lease):
            return False
        case = case or await self._cases.repository.get(rating.case_id)
        told = {who for who in rating.notice_told.split(",") if who}
        owed = [who for who in self._audience(case, rating) if who not in told]
        if case is None or now - as_utc(rating.created_at) > GIVE_UP_AFTER:
            log.warning("rating %s: its notice to %s never arrived; given up", rating.id, owed)
            owed = []
        for who in owed:
            failure = await self._tell(case, rating, who) if case is not None else None
            if failure is None or failure in FINAL_FAILURES:
                told.add(who)
                if failure is not None:
                    log.warning("case %s: the rating notice cannot reach the %s (%s)",
                                rating.case_id, who, failure)
        left = [who for who in owed if who not in told]
        if left:
            log.warning("case %s: the rating notice to %s did not arrive; the next check "
                        "tries again", rating.case_id, left)
        await history.settle_rating_notice(rating.id, lease, ",".join(sorted(told)),
                                           now if left else None)
        return not left

    @staticmethod
    def _audience(case: Case | None, rating: CaseRating) -> list[str]:
        if case is None:
            return []
        return ([EXPERT] if case.expert_id is not None else []) + (
            [STAFF] if rating.stars <= LOW_STARS else [])

    async def _tell(self, case: Case, rating: CaseRating, who: str) -> str | None:
        """None when it arrived, else why not."""
        stars = "★" * rating.stars
        comment = rating.notice == "comment" and bool(rating.comment)
        if who == EXPERT:
            assert case.expert_id is not None
            key = "hotline.rating.expert_comment" if comment else "hotline.rating.expert"
            delivery = await self._cases.tell(case, case.expert_id, key, stars=stars,
                                              reply_to=case.expert_anchor_id,
                                              **({"comment": rating.comment} if comment
                                                 else {}))
            return delivery.failure if not delivery.ok else None
        key = "hotline.rating.low_comment_staff" if comment else "hotline.rating.low_staff"
        values = {"comment": rating.comment} if comment else {}
        return await self._to_staff(case, key, stars=stars,
                                    link=self._case_link(case.number), **values)

    async def _to_staff(self, case: Case, key: str, **values: object) -> str | None:
        """In the case's topic (its general chat when it has none); without a staff group,
        to each admin, who stand in for it as they do for offers. None when it arrived (to
        one admin at least), else why not."""
        staff_chat = self._cases.staff_chat_id
        if staff_chat is not None:
            delivery = await self._cases.messenger.notify(
                staff_chat, key, number=case.number, thread_id=case.staff_thread_id, **values)
            return None if delivery.ok else delivery.failure
        deliveries: list[Delivery] = [
            await self._cases.messenger.notify(admin.telegram_id, key, number=case.number,
                                               **values)
            for admin in await self._people.list_people(Role.ADMIN)]
        if not deliveries or any(d.ok for d in deliveries):
            return None
        failures = {d.failure for d in deliveries}
        return "blocked" if failures <= FINAL_FAILURES else "network"
