"""How much each area holds about one person, for /privacy: each count is what that area's
/forget eraser would remove or anonymise now (bot/assembly.py pairs them), and for the
records /forget keeps, how many there are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from storage.db import Database
from storage.models import (
    Absence,
    Attendance,
    Case,
    CaseMessage,
    CategoryFallback,
    ConsoleLoginToken,
    ConsoleSession,
    Draft,
    Idea,
    IdeaReport,
    IdeaSupport,
    OutboxMessage,
    PendingPick,
    ReminderState,
    RosterNotice,
    ShiftSwap,
    SocialWorkerProfile,
    Subscription,
    TrainingNotice,
    TrainingReminder,
)
from storage.repositories.outbox import PENDING as OUTBOX_PENDING
from storage.repositories.roster_duty import OPEN as SWAP_OPEN


class PrivacyCounts:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def _count(self, model: Any, *where: Any) -> int:
        async with self._db.session() as session:
            return int((await session.execute(
                select(func.count()).select_from(model).where(*where))).scalar_one())

    async def profile(self, telegram_id: int) -> int:
        return await self._count(SocialWorkerProfile,
                                 SocialWorkerProfile.telegram_id == telegram_id)

    async def draft(self, telegram_id: int) -> int:
        return await self._count(Draft, Draft.telegram_id == telegram_id)

    async def subscriptions(self, telegram_id: int) -> int:
        return await self._count(Subscription, Subscription.telegram_id == telegram_id)

    async def training_queue(self, telegram_id: int) -> int:
        """Reminders and notices not yet sent to the person."""
        return (await self._count(TrainingReminder, TrainingReminder.telegram_id == telegram_id,
                                  TrainingReminder.state == ReminderState.PENDING)
                + await self._count(TrainingNotice, TrainingNotice.telegram_id == telegram_id,
                                    TrainingNotice.state == ReminderState.PENDING))

    async def outbox(self, telegram_id: int) -> int:
        """Messages of any campaign still waiting to go to the person."""
        return await self._count(OutboxMessage, OutboxMessage.chat_id == telegram_id,
                                 OutboxMessage.state == OUTBOX_PENDING)

    async def console(self, telegram_id: int) -> int:
        return (await self._count(ConsoleLoginToken, ConsoleLoginToken.telegram_id == telegram_id)
                + await self._count(ConsoleSession, ConsoleSession.telegram_id == telegram_id))

    async def ideas(self, telegram_id: int) -> int:
        return await self._count(Idea, Idea.author_id == telegram_id)

    async def idea_supports(self, telegram_id: int) -> int:
        return await self._count(IdeaSupport, IdeaSupport.telegram_id == telegram_id)

    async def idea_reports(self, telegram_id: int) -> int:
        return await self._count(IdeaReport, IdeaReport.telegram_id == telegram_id)

    async def hotline_messages(self, telegram_id: int) -> int:
        """The person's words still held in the transcripts of the cases they asked."""
        return await self._count(
            CaseMessage, CaseMessage.sender_role == "asker",
            CaseMessage.case_id.in_(select(Case.id).where(Case.asker_id == telegram_id)),
            or_(CaseMessage.text.is_not(None), CaseMessage.media_ref.is_not(None)))

    async def pending_picks(self, telegram_id: int) -> int:
        """Messages waiting for "which case?"."""
        return await self._count(PendingPick, PendingPick.user_id == telegram_id)

    async def hotline_fallbacks(self, telegram_id: int) -> int:
        """Categories naming the person as the one offered a case when nobody is on duty."""
        return await self._count(CategoryFallback, CategoryFallback.telegram_id == telegram_id)

    async def roster_notices(self, telegram_id: int) -> int:
        """Duty roster notices waiting to be sent to the person."""
        return await self._count(RosterNotice, RosterNotice.chat_id == telegram_id,
                                 RosterNotice.state == ReminderState.PENDING)

    async def shift_swaps(self, telegram_id: int) -> int:
        """The person's shifts offered for a swap and not yet taken."""
        return await self._count(ShiftSwap, ShiftSwap.expert_id == telegram_id,
                                 ShiftSwap.status == SWAP_OPEN)

    async def hotline_cases(self, telegram_id: int) -> int:
        """Cases the person asked (kept by /forget, without their words)."""
        return await self._count(Case, Case.asker_id == telegram_id)

    async def training_history(self, telegram_id: int) -> int:
        """Attendance records and absence notices (kept: the bureau counts attendance)."""
        return (await self._count(Attendance, Attendance.telegram_id == telegram_id)
                + await self._count(Absence, Absence.telegram_id == telegram_id))
