"""The quality loop after a rating (issue 15 items 5 and 7): the expert who answered is told
the stars and, when it follows, the comment; a rating of 1 or 2 stars goes to the case's
staff topic at once with a link to the transcript (the console's case page), and its
comment follows it there."""

from __future__ import annotations

from collections.abc import Callable

from services.hotline.cases import CaseService
from services.people import PeopleService
from storage.models import Case, CaseRating, Role

LOW_STARS = 2
# Case number -> the console's page of the case (its transcript), for the staff topic.
CaseLink = Callable[[str], str]


class RatingNotices:
    def __init__(self, cases: CaseService, people: PeopleService, case_link: CaseLink) -> None:
        self._cases = cases
        self._people = people
        self._case_link = case_link

    async def rated(self, case_id: int) -> None:
        """Right after the asker's stars were kept."""
        case, rating = await self._rating(case_id)
        if case is None or rating is None:
            return
        stars = "★" * rating.stars
        if case.expert_id is not None:
            await self._cases.tell(case, case.expert_id, "hotline.rating.expert", stars=stars,
                                   reply_to=case.expert_anchor_id)
        if rating.stars <= LOW_STARS:
            await self._to_staff(case, "hotline.rating.low_staff", stars=stars,
                                 link=self._case_link(case.number))

    async def commented(self, case_id: int) -> None:
        """Right after the asker's comment on their rating was kept."""
        case, rating = await self._rating(case_id)
        if case is None or rating is None or not rating.comment:
            return
        stars = "★" * rating.stars
        if case.expert_id is not None:
            await self._cases.tell(case, case.expert_id, "hotline.rating.expert_comment",
                                   stars=stars, comment=rating.comment,
                                   reply_to=case.expert_anchor_id)
        if rating.stars <= LOW_STARS:
            await self._to_staff(case, "hotline.rating.low_comment_staff", stars=stars,
                                 comment=rating.comment, link=self._case_link(case.number))

    async def _rating(self, case_id: int) -> tuple[Case | None, CaseRating | None]:
        case = await self._cases.repository.get(case_id)
        if case is None:
            return None, None
        return case, await self._cases.repository.history.rating_of_closing(case)

    async def _to_staff(self, case: Case, key: str, **values: object) -> None:
        """In the case's topic (its general chat when it has none); without a staff group,
        to each admin, who stand in for it as they do for offers."""
        staff_chat = self._cases.staff_chat_id
        if staff_chat is not None:
            await self._cases.messenger.notify(staff_chat, key, number=case.number,
                                               thread_id=case.staff_thread_id, **values)
            return
        for admin in await self._people.list_people(Role.ADMIN):
            await self._cases.messenger.notify(admin.telegram_id, key, number=case.number,
                                               **values)
