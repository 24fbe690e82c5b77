"""/forget's part of the ideas: a person's supports and reports go, and the counts the
ideas service keeps on each idea (one support per person; reports since the last restore)
stay true. The ideas a person wrote are anonymised by IdeaRepository.erase_author_details."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from storage.db import Database
from storage.models import Idea, IdeaEvent, IdeaReport, IdeaSupport


class IdeaErasureRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def erase_supports(self, telegram_id: int) -> int:
        """/forget: the person's supports go, and each idea's count is taken again from the
        supports left, so the public figure stays one per supporting person."""
        async with self._db.session() as session:
            ideas = list((await session.execute(select(IdeaSupport.idea_id).where(
                IdeaSupport.telegram_id == telegram_id))).scalars())
            if not ideas:
                return 0
            await session.execute(delete(IdeaSupport).where(
                IdeaSupport.telegram_id == telegram_id))
            remaining = (select(func.count()).select_from(IdeaSupport)
                         .where(IdeaSupport.idea_id == Idea.id).scalar_subquery())
            await session.execute(update(Idea).where(Idea.id.in_(ideas))
                                  .values(support_count=remaining))
            return len(ideas)

    async def erase_reports(self, telegram_id: int) -> int:
        """/forget: the person's reports go. A report still counts towards hiding only if it
        came after the idea was last restored (restoring sets the count to 0), so only those
        are taken off the count; an idea already hidden stays hidden for staff to decide."""
        async with self._db.session() as session:
            reports = (await session.execute(select(IdeaReport.idea_id, IdeaReport.created_at)
                                             .where(IdeaReport.telegram_id == telegram_id))).all()
            for idea_id, reported_at in reports:
                restored = (await session.execute(
                    select(func.max(IdeaEvent.created_at)).where(
                        IdeaEvent.idea_id == idea_id, IdeaEvent.kind == "restored"))).scalar()
                if restored is None or reported_at > restored:
                    await session.execute(
                        update(Idea).where(Idea.id == idea_id, Idea.report_count > 0)
                        .values(report_count=Idea.report_count - 1))
            await session.execute(delete(IdeaReport).where(
                IdeaReport.telegram_id == telegram_id))
            return len(reports)
