"""A case's transcript: the relayed messages, their versions (edits), the mapping between
the two sides' message ids, and /forget's anonymising of the asker's words. New rows are
added by CaseRepository.add_message (group-committed)."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update

from storage.db import Database
from storage.models import Case, CaseMessage, CaseRating


class CaseTranscript:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def update_message(self, message_id: int, **values: object) -> None:
        async with self._db.session() as session:
            await session.execute(update(CaseMessage).where(CaseMessage.id == message_id)
                                  .values(**values))

    async def messages(self, case_id: int) -> list[CaseMessage]:
        async with self._db.session() as session:
            rows = await session.execute(select(CaseMessage).where(
                CaseMessage.case_id == case_id).order_by(CaseMessage.id))
            return list(rows.scalars())

    async def original(self, chat_id: int, message_id: int) -> CaseMessage | None:
        """The first version of a relayed message, found by its source."""
        async with self._db.session() as session:
            return (await session.execute(select(CaseMessage).where(
                CaseMessage.source_chat_id == chat_id,
                CaseMessage.source_message_id == message_id,
                CaseMessage.version == 0))).scalar_one_or_none()

    async def counterpart(self, case_id: int, chat_id: int, message_id: int) -> int | None:
        """The id, on the other side, of a message of this chat (for keeping reply threads)."""
        async with self._db.session() as session:
            row = (await session.execute(select(CaseMessage).where(
                CaseMessage.case_id == case_id, CaseMessage.version == 0, or_(
                    and_(CaseMessage.source_chat_id == chat_id,
                         CaseMessage.source_message_id == message_id),
                    and_(CaseMessage.target_chat_id == chat_id,
                         CaseMessage.target_message_id == message_id))))).scalars().first()
            if row is None:
                return None
            if row.source_chat_id == chat_id and row.source_message_id == message_id:
                return row.target_message_id
            return row.source_message_id

    async def last_version(self, chat_id: int, message_id: int) -> int:
        async with self._db.session() as session:
            return int((await session.execute(select(func.max(CaseMessage.version)).where(
                CaseMessage.source_chat_id == chat_id,
                CaseMessage.source_message_id == message_id))).scalar() or 0)

    async def held(self, case_id: int) -> list[CaseMessage]:
        async with self._db.session() as session:
            rows = await session.execute(select(CaseMessage).where(
                CaseMessage.case_id == case_id, CaseMessage.delivery == "held")
                .order_by(CaseMessage.id))
            return list(rows.scalars())

    async def anonymise_asker(self, asker_id: int) -> int:
        """/forget: the asker's words leave the transcripts; the case and its figures stay."""
        async with self._db.session() as session:
            cases = select(Case.id).where(Case.asker_id == asker_id)
            result = await session.execute(
                update(CaseMessage).where(CaseMessage.case_id.in_(cases),
                                          CaseMessage.sender_role == "asker")
                .values(text=None, media_ref=None))
            await session.execute(update(Case).where(Case.asker_id == asker_id)
                                  .values(rating_comment=None))
            await session.execute(update(CaseRating).where(CaseRating.asker_id == asker_id)
                                  .values(comment=None))
            return result.rowcount
