"""All configuration, read once from HOTLINE_* environment variables and an optional .env."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.trainings.offsets import parse_offsets

SUPPORTED_LOCALES = ("zh_CN", "en")
TELEGRAM_API_BASE = "https://api.telegram.org/bot"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

# BotFather tokens: a numeric bot id, a colon, then 30+ url-safe characters.
_TOKEN_PATTERN = re.compile(r"^\d{4,}:[A-Za-z0-9_-]{30,}$")


class SettingsError(Exception):
    """A setting is wrong; the message is one sentence naming it, fit to print to a user."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    api_base_url: str = TELEGRAM_API_BASE
    api_file_base_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///data/hotline.db"
    default_locale: str = "zh_CN"
    timezone: str = "Asia/Shanghai"
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    staff_chat_id: int | None = None
    # Where the console's announcement attachments are uploaded to get a file_id (a private
    # channel or group the bot may post in); unset: the staff chat. The upload is deleted
    # there at once, so nobody's chat keeps a copy.
    media_chat_id: int | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    sandbox_port: int = Field(default=8081, ge=0, le=65535)
    log_retention_days: int = Field(default=365, ge=1, le=3650)
    log_level: str = "INFO"
    # Announcements (issue 5): PTB's HTTP client, paid broadcast, a dead sender's claim lease.
    http_client: Literal["aiohttp", "httpx"] = "aiohttp"
    paid_broadcast: bool = False
    # Telegram's overall limit for one bot (about 30 a second). Raise it only when Telegram
    # raised it for this bot; the benchmarks lift it to measure the bot's own cost.
    send_rate: float = Field(default=30.0, ge=1, le=1000)
    delivery_lease_seconds: int = Field(default=60, ge=1, le=3600)
    # Telegram's budgets shared by every process (issue 11): Redis. Unset: in this process's
    # memory with SQLite (one process), redis://127.0.0.1:6379/0 with PostgreSQL.
    redis_url: str | None = None
    # Expert hotline (issue 4): seconds an offer waits for a claim before it escalates.
    claim_timeout: int = Field(default=600, ge=1, le=86_400)
    escalation_check_seconds: int = Field(default=30, ge=1, le=3600)
    # Issue 14: staff are alerted once when an asker's message waits this long unanswered.
    unanswered_alert_minutes: int = Field(default=30, ge=1, le=1440)
    open_cases_per_asker: int = Field(default=3, ge=1, le=50)
    relay_messages_per_minute: int = Field(default=30, ge=1, le=1000)
    # Updates kept but not yet handled, at most; past it Telegram is asked to retry later.
    inbox_backlog_limit: int = Field(default=10_000, ge=10, le=1_000_000)
    # Public-benefit ideas (issue 7).
    ideas_daily_limit: int = Field(default=5, ge=1, le=100)
    ideas_edit_minutes: int = Field(default=30, ge=0, le=1440)
    ideas_photo_max_bytes: int = Field(default=5_000_000, ge=1_000, le=20_000_000)
    ideas_hide_after_reports: int = Field(default=3, ge=1, le=100)
    # Trainings (issue 6): the national exam's date, and when reminders go out before a
    # session and before the exam ("1d,1h": days, hours or minutes, comma-separated).
    exam_date: date | None = None
    reminder_offsets: str = "1d,1h"
    exam_reminder_offsets: str = "7d"
    # Web console (issue 8): the public base URL of this server, put in sign-in links.
    # Unset: http://127.0.0.1:<the port the server listens on>.
    console_url: str | None = None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not _TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("malformed token")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("reminder_offsets", "exam_reminder_offsets")
    @classmethod
    def _strict_offsets(cls, value: str) -> str:
        parse_offsets(value)
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError("unknown locale")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in re.split(r"[,\s]+", value.strip()) if part)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("webhook_url", "api_file_base_url", "staff_chat_id", "media_chat_id",
                     "console_url", "redis_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("not a URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(redis|rediss|unix)://\S+$", value):
            raise ValueError("not a Redis URL")
        return value

    @field_validator("console_url")
    @classmethod
    def _console_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", value):
            raise ValueError("not a base URL")
        return value.rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def uses_sandbox(self) -> bool:
        """No token means the embedded defaults: the local Bot API sandbox."""
        return self.bot_token is None

    @property
    def file_base_url(self) -> str:
        return self.api_file_base_url or self.api_base_url.replace("/bot", "/file/bot", 1)

    @property
    def budget_redis_url(self) -> str | None:
        """Where the send budget lives: None = this process's memory (SQLite, one process).

        With PostgreSQL several processes share one bot token (`hotline deliver`), so the
        budget must be shared too: Redis, at 127.0.0.1 unless HOTLINE_REDIS_URL says where.
        """
        if self.redis_url is not None:
            return self.redis_url
        if self.database_url.startswith("postgresql"):
            return DEFAULT_REDIS_URL
        return None

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url.removeprefix(prefix))
        return None


# One sentence per setting: what is wrong and what a right value looks like.
_EXPLANATIONS = {
    "bot_token": "HOTLINE_BOT_TOKEN is malformed: expected the token from @BotFather, "
    "like 123456789:AAE... (or leave it unset to use the local sandbox).",
    "default_locale": f"HOTLINE_DEFAULT_LOCALE must be one of: {', '.join(SUPPORTED_LOCALES)}.",
    "timezone": "HOTLINE_TIMEZONE is not a known IANA time zone (for example Asia/Shanghai).",
    "admin_ids": "HOTLINE_ADMIN_IDS must be Telegram user ids separated by commas.",
    "staff_chat_id": "HOTLINE_STAFF_CHAT_ID must be a numeric chat id, like -1001234567890.",
    "media_chat_id": "HOTLINE_MEDIA_CHAT_ID must be a numeric chat id, like -1001234567890.",
    "webhook_url": "HOTLINE_WEBHOOK_URL must be an https:// URL that Telegram can reach.",
    "http_port": "HOTLINE_HTTP_PORT must be a port number between 0 and 65535.",
    "sandbox_port": "HOTLINE_SANDBOX_PORT must be a port number between 0 and 65535.",
    "log_retention_days": "HOTLINE_LOG_RETENTION_DAYS must be a whole number of days, 1 to 3650.",
    "http_client": "HOTLINE_HTTP_CLIENT must be aiohttp (the default) or httpx.",
    "paid_broadcast": "HOTLINE_PAID_BROADCAST must be 1 or 0.",
    "delivery_lease_seconds": "HOTLINE_DELIVERY_LEASE_SECONDS must be 1 to 3600 seconds.",
    "redis_url": "HOTLINE_REDIS_URL must be a Redis URL, like redis://127.0.0.1:6379/0.",
    "claim_timeout": "HOTLINE_CLAIM_TIMEOUT must be a number of seconds, 1 to 86400 "
    "(600 = ten minutes).",
    "escalation_check_seconds": "HOTLINE_ESCALATION_CHECK_SECONDS must be 1 to 3600 seconds.",
    "unanswered_alert_minutes": "HOTLINE_UNANSWERED_ALERT_MINUTES must be a whole number of "
    "minutes, 1 to 1440.",
    "open_cases_per_asker": "HOTLINE_OPEN_CASES_PER_ASKER must be a whole number, 1 to 50.",
    "relay_messages_per_minute": "HOTLINE_RELAY_MESSAGES_PER_MINUTE must be 1 to 1000.",
    "inbox_backlog_limit": "HOTLINE_INBOX_BACKLOG_LIMIT must be a whole number of updates, "
    "10 to 1000000.",
    "ideas_daily_limit": "HOTLINE_IDEAS_DAILY_LIMIT must be a whole number of ideas, 1 to 100.",
    "ideas_edit_minutes": "HOTLINE_IDEAS_EDIT_MINUTES must be a whole number of minutes, "
    "0 to 1440.",
    "ideas_photo_max_bytes": "HOTLINE_IDEAS_PHOTO_MAX_BYTES must be a number of bytes, "
    "1000 to 20000000.",
    "ideas_hide_after_reports": "HOTLINE_IDEAS_HIDE_AFTER_REPORTS must be a whole number, "
    "1 to 100.",
    "console_url": "HOTLINE_CONSOLE_URL must be the public base URL of this server, like "
    "https://hotline.example.org (no query, no fragment).",
    "exam_date": "HOTLINE_EXAM_DATE must be a date like 2026-10-24.",
    "reminder_offsets": "HOTLINE_REMINDER_OFFSETS must be offsets like 1d,1h "
    "(d days, h hours, m minutes; up to 60 days; none twice).",
    "exam_reminder_offsets": "HOTLINE_EXAM_REMINDER_OFFSETS must be offsets like 7d "
    "(d days, h hours, m minutes; up to 60 days; none twice).",
}


def describe_os_error(exc: OSError) -> str:
    """"Address already in use" rather than asyncio's long wrapped message."""
    return os.strerror(exc.errno) if exc.errno else str(exc)


def load_settings(**overrides: object) -> Settings:
    """Reads the settings, turning any validation failure into one clear SettingsError."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else "?"
        raise SettingsError(
            _EXPLANATIONS.get(field, f"HOTLINE_{field.upper()} has an invalid value.")
        ) from None
    if settings.webhook_url and settings.webhook_secret is None:
        raise SettingsError(
            "HOTLINE_WEBHOOK_SECRET must be set when HOTLINE_WEBHOOK_URL is set, "
            "so that forged webhook calls can be refused."
        )
    return settings
