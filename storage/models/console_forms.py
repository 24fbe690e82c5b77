"""One-time tokens of the console's forms, so that a form sent twice (a double click, a
reload of the answer, a second tab) acts once: the first submission claims the token, a
second finds it used and is shown the first one's result.

Only the SHA-256 of a token is stored, as for the sign-in links.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class ConsoleFormToken(SQLModel, table=True):
    __tablename__ = "console_form_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    telegram_id: int = Field(sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False,
        index=True))
    # The page the form belongs to ("/console/trainings/12"): a token answers only there.
    purpose: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Where the first submission led (the announcement it published...), once it is done.
    result: str = Field(default="", max_length=256)
    # What the server attached to the form when it was issued (a Telegram file_id of an
    # uploaded attachment), as JSON: the browser only carries the token, never the value.
    payload: str = Field(default="", max_length=1000)
