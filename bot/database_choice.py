"""Which database a command uses, and how to name it without its password.

`hotline run` with no token runs the demo on data/sandbox.db; the other commands must find
the same database, or a staff member reading "0 experts" from an empty data/hotline.db
believes the demo lost its experts. One rule for all: an explicit HOTLINE_DATABASE_URL
wins; otherwise no token (the embedded sandbox) means the sandbox's database. The default
data/hotline.db counts as no choice even when .env names it (.env.example did): demo people
and content must never land in the database the real bot will use once a token is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings

SANDBOX_DATABASE = "sqlite+aiosqlite:///data/sandbox.db"
DEFAULT_DATABASE = Settings.model_fields["database_url"].default


@dataclass(frozen=True, slots=True)
class DatabaseChoice:
    url: str
    reason: str  # why this one, for the line the CLI prints
    explicit: bool = False  # named by HOTLINE_DATABASE_URL

    @property
    def sqlite_file(self) -> Path | None:
        prefix = "sqlite+aiosqlite:///"
        return Path(self.url.removeprefix(prefix)) if self.url.startswith(prefix) else None

    def describe(self) -> str:
        return f"{masked_url(self.url)} ({self.reason})"


def choose_database(settings: Settings, *, sandbox: bool | None = None) -> DatabaseChoice:
    """sandbox: the embedded sandbox runs (None: whenever no token is set)."""
    if settings.database_url != DEFAULT_DATABASE:
        return DatabaseChoice(settings.database_url, "HOTLINE_DATABASE_URL", explicit=True)
    if settings.uses_sandbox if sandbox is None else sandbox:
        return DatabaseChoice(SANDBOX_DATABASE, "the embedded sandbox's: no HOTLINE_BOT_TOKEN "
                                                "and no HOTLINE_DATABASE_URL set")
    return DatabaseChoice(settings.database_url, "the default")


def masked_url(url: str) -> str:
    """The URL with any password shown as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<an unreadable database URL>"
