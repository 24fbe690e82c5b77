"""Applies Alembic migrations from inside the running event loop (and from the CLI)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


# Tables kept by hand, outside the ORM metadata: the knowledge base's full-text index (an FTS5
# virtual table and its shadow tables on SQLite, a tsvector table on PostgreSQL).
UNMANAGED_TABLE_PREFIXES = ("kb_fts", "kb_search")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """For autogenerate: leaves the hand-kept tables (and their indexes) alone."""
    if type_ == "table" and name is not None:
        return not name.startswith(UNMANAGED_TABLE_PREFIXES)
    return True


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _joined(revisions: tuple[str, ...]) -> str | None:
    return "+".join(sorted(revisions)) or None


async def upgrade_to_head(database: Database) -> str | None:
    """Brings the schema up to date; returns the revision(s) now applied.

    "heads", not "head": features developed side by side may each add a branch from the same
    parent until a merge revision joins them, and every branch must be applied.
    """

    def _upgrade(connection: Connection) -> str | None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        return _joined(MigrationContext.configure(connection).get_current_heads())

    async with database.engine.begin() as connection:
        return await connection.run_sync(_upgrade)


async def current_revision(database: Database) -> str | None:
    def _current(connection: Connection) -> str | None:
        return _joined(MigrationContext.configure(connection).get_current_heads())

    async with database.engine.connect() as connection:
        return await connection.run_sync(_current)


def head_revision() -> str | None:
    return _joined(tuple(ScriptDirectory.from_config(alembic_config()).get_heads()))


async def autogenerate(database: Database, message: str) -> None:
    """Writes a new revision from the difference between the models and the database."""

    def _revision(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)

    async with database.engine.begin() as connection:
        await connection.run_sync(_revision)
