"""Announcements: topics, subscriptions, the announcements themselves and the delivery outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import user_key_column, utc_column, utcnow


class AnnouncementTopic(SQLModel, table=True):
    """A topic people subscribe to; names are data staff edit, in both languages."""

    __tablename__ = "announcement_topics"

    key: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    # Project calls can be narrowed by kind; the other topics cannot.
    has_kinds: bool = Field(default=False)
    position: int = Field(default=0)


class ProjectKind(SQLModel, table=True):
    """A kind of government-purchased service project (社区营造, 居家养老, ...)."""

    __tablename__ = "project_kinds"

    key: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    position: int = Field(default=0)


class Subscription(SQLModel, table=True):
    __tablename__ = "subscriptions"

    telegram_id: int = Field(sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False))
    topic: str = Field(sa_column=Column(
        ForeignKey("announcement_topics.key", ondelete="CASCADE"), primary_key=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class SubscriberPreference(SQLModel, table=True):
    """Narrowing (kinds, street) and reachability: a blocked bot makes the person inactive."""

    __tablename__ = "subscriber_preferences"

    telegram_id: int = Field(sa_column=user_key_column())
    kinds_json: str = Field(default="[]")  # empty: every kind
    street: str | None = Field(default=None, max_length=32)
    active: bool = Field(default=True)
    inactive_reason: str | None = Field(default=None, max_length=32)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Announcement(SQLModel, table=True):
    __tablename__ = "announcements"

    id: int | None = Field(default=None, primary_key=True)
    author_id: int | None = Field(default=None, sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True))
    topic: str = Field(max_length=32)
    title: str = Field(max_length=128)
    body_html: str
    photo_file_id: str | None = Field(default=None, max_length=256)
    document_file_id: str | None = Field(default=None, max_length=256)
    link_url: str | None = Field(default=None, max_length=512)
    details_json: str = Field(default="{}")  # project-call fields: kind, budget, deadline...
    audience_json: str = Field(default="{}")  # roles, kinds, streets
    paid: bool = Field(default=False)
    # scheduled -> sending -> done, or cancelled at any point before done.
    state: str = Field(default="scheduled", max_length=16, index=True)
    send_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    recipients: int = Field(default=0)
    progress_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    progress_message_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    started_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class OutboxMessage(SQLModel, table=True):
    """One message to one chat, written before the first send; the delivery engine's queue.

    `campaign_kind` names the feature that owns the message (announcement, reminder, ...),
    `campaign_id` its row; the engine asks that feature for the text when it sends.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("campaign_kind", "campaign_id", "chat_id", name="uq_outbox_recipient"),
        Index("ix_outbox_due", "state", "not_before"),
        Index("ix_outbox_campaign", "campaign_kind", "campaign_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_kind: str = Field(max_length=16)
    campaign_id: int
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    locale: str = Field(max_length=8)
    paid: bool = Field(default=False)
    # pending -> claimed -> sent | blocked | failed; pending -> cancelled.
    state: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    message_id: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=256)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
