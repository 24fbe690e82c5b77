"""Which card of an idea is a reviewer's live one: the message its buttons act from."""

from __future__ import annotations

from storage.db import Database
from storage.models import IdeaReviewPanel, utcnow


class IdeaReviewPanels:
    """The reviewers' live cards (IdeaRepository.review_panels)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def review_panel(self, idea_id: int, reviewer_id: int) -> int | None:
        """The message id of the reviewer's live card of the idea, if one was recorded."""
        async with self._db.session() as session:
            panel = await session.get(IdeaReviewPanel, (idea_id, reviewer_id))
            return panel.message_id if panel is not None else None

    async def replace_review_panel(self, idea_id: int, reviewer_id: int,
                                   message_id: int) -> int | None:
        """Makes `message_id` the live card; returns the one it replaces, if any."""
        async with self._db.session() as session:
            panel = await session.get(IdeaReviewPanel, (idea_id, reviewer_id))
            if panel is None:
                session.add(IdeaReviewPanel(idea_id=idea_id, reviewer_id=reviewer_id,
                                            message_id=message_id, shown_at=utcnow()))
                return None
            replaced = panel.message_id
            panel.message_id = message_id
            panel.shown_at = utcnow()
            return replaced if replaced != message_id else None
