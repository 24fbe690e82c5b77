"""People: users, their roles, social-worker profiles, and dialogs in progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.models.base import user_key_column, utc_column, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    EXPERT = "expert"
    SOCIAL_WORKER = "social_worker"
    RESIDENT = "resident"


class User(SQLModel, table=True):
    """One row per Telegram user who ever wrote to the bot (or was named an admin)."""

    __tablename__ = "users"

    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str | None = Field(default=None, max_length=256)
    last_name: str | None = Field(default=None, max_length=256)
    username: str | None = Field(default=None, max_length=64)
    telegram_language: str | None = Field(default=None, max_length=16)
    locale: str = Field(default="zh_CN", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    # Null for a row made before the person ever wrote (a role granted by id in advance).
    first_contact_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    forgotten_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class UserRole(SQLModel, table=True):
    __tablename__ = "user_roles"

    telegram_id: int = Field(sa_column=user_key_column())
    role: str = Field(primary_key=True, max_length=32)
    granted_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class SocialWorkerProfile(SQLModel, table=True):
    __tablename__ = "social_worker_profiles"

    telegram_id: int = Field(sa_column=user_key_column())
    full_name: str = Field(max_length=64)
    organisation: str = Field(max_length=128)
    community: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Draft(SQLModel, table=True):
    """A multi-step dialog in progress, kept in the database so a restart loses nothing."""

    __tablename__ = "drafts"

    telegram_id: int = Field(sa_column=user_key_column())
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data_json: str = Field(default="{}")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
