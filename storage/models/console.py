"""The web console: one-time sign-in links, browser sessions, and the staff audit log.

Secrets (the link token, the session id) are never stored: only their SHA-256, so a copy of
the database cannot be turned into a signed-in browser.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


def _owner_column() -> Column:
    """The person a link or session belongs to: it goes when the person's row goes."""
    return Column(BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"),
                  nullable=False, index=True)


class ConsoleLoginToken(SQLModel, table=True):
    __tablename__ = "console_login_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    telegram_id: int = Field(sa_column=_owner_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column(index=True))
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ConsoleSession(SQLModel, table=True):
    __tablename__ = "console_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    telegram_id: int = Field(sa_column=_owner_column())
    csrf_token: str = Field(max_length=64)
    locale: str = Field(max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    # The absolute end; the idle limit is checked against last_seen_at.
    expires_at: datetime = Field(sa_column=utc_column(index=True))


class AuditEntry(SQLModel, table=True):
    """One staff action, taken in the console, the bot or the command line (`channel`).
    Kept when the person is erased: the id stays. The command line has no Telegram account:
    its rows carry telegram_id 0 and the operating-system user in the detail."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    action: str = Field(max_length=64, index=True)
    target: str = Field(default="", max_length=256)
    detail: str = Field(default="", max_length=4000)
    # Rows written before the bot and the command line were audited all came from the console.
    channel: str = Field(default="console", max_length=16,
                         sa_column_kwargs={"server_default": "console"})
