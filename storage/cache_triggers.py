"""The database announces changes to the tables that processes cache.

Triggers, not Python, so that every writer is covered: the bot, the CLI, `hotline deliver`,
another bot process, even an operator's psql. They run inside the writing transaction, so a
change and its announcement commit together or not at all.

- SQLite: the trigger adds one to the table's row in `cache_versions`. Readers notice with
  `PRAGMA data_version` (storage/shared_versions.py) and read that table only then. SQLite has
  one writer at a time, so the counter row costs no contention.
- PostgreSQL: the trigger calls pg_notify (delivered at commit, once per transaction and
  table). A counter row there would be locked by every writer until commit, and two
  transactions bumping two rows in opposite orders would deadlock.

A new cache of another table adds that table here and a migration that calls `install` for
it. A migration that rebuilds a watched table on SQLite (batch mode copies it) drops its
triggers: call `install` again at its end (tests/test_shared_versions.py checks every one).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

NOTIFY_CHANNEL = "hotline_cache_changed"
_OPERATIONS = ("insert", "update", "delete")


@dataclass(frozen=True, slots=True)
class Watched:
    table: str
    # Per operation, the condition (SQLite syntax, OLD/NEW) under which a row's change
    # matters to a cache; operations not named always count.
    when: tuple[tuple[str, str], ...] = ()
    operations: tuple[str, ...] = _OPERATIONS

    def condition(self, operation: str, dialect: str) -> str | None:
        found = dict(self.when).get(operation)
        if found is None or dialect != "postgresql":
            return found
        return found.replace(" IS NOT ", " IS DISTINCT FROM ")


WATCHED = (
    # The people cache holds roles, the language and whether someone asked to be forgotten;
    # the name and last_seen_at change on contact and are not worth every process's cache.
    # A new user row concerns no cache: nobody has that person cached yet.
    Watched("users", (("update", "OLD.locale IS NOT NEW.locale"
                                 " OR OLD.forgotten_at IS NOT NEW.forgotten_at"),),
            operations=("update", "delete")),
    # A first contact grants "resident" to a person nobody has cached yet.
    Watched("user_roles", (("insert", "NEW.role <> 'resident'"),)),
    Watched("drafts"),
    Watched("hotline_experts"),
    Watched("hotline_categories"),
    Watched("hotline_roster_shifts"),
    Watched("hotline_roster_overrides"),
    Watched("hotline_blocks"),
    Watched("hotline_cases"),
)
WATCHED_TABLES = tuple(w.table for w in WATCHED)


def trigger_name(table: str, operation: str) -> str:
    return f"cache_{table}_{operation}"


def install(connection: Connection, watched: tuple[Watched, ...] = WATCHED) -> None:
    """(Re)creates the triggers of the given tables; safe to run again."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text(
            "CREATE OR REPLACE FUNCTION hotline_cache_changed() RETURNS trigger AS $$ "
            f"BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', TG_TABLE_NAME); RETURN NULL; END "
            "$$ LANGUAGE plpgsql"))
    for item in watched:
        if dialect == "sqlite":
            connection.execute(text(
                "INSERT INTO cache_versions (name, version) VALUES (:name, 0) "
                "ON CONFLICT (name) DO NOTHING"), {"name": item.table})
        for operation in item.operations:
            _create(connection, item.table, operation, item.condition(operation, dialect))


def uninstall(connection: Connection, watched: tuple[Watched, ...] = WATCHED) -> None:
    for item in watched:
        for operation in item.operations:
            _drop(connection, item.table, operation)
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP FUNCTION IF EXISTS hotline_cache_changed()"))


def _create(connection: Connection, table: str, operation: str, condition: str | None) -> None:
    name = trigger_name(table, operation)
    _drop(connection, table, operation)
    if connection.dialect.name == "postgresql":
        when = f" WHEN ({condition})" if condition else ""
        connection.execute(text(
            f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} FOR EACH ROW{when} "
            "EXECUTE FUNCTION hotline_cache_changed()"))
        return
    when = f" WHEN {condition}" if condition else ""
    # Names come from WATCHED, never from input.
    connection.execute(text(
        f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} FOR EACH ROW{when} "  # noqa: S608
        f"BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = '{table}'; END"))


def _drop(connection: Connection, table: str, operation: str) -> None:
    name = trigger_name(table, operation)
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
    else:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


def installed(connection: Connection) -> set[str]:
    """The names of the cache triggers the database has (for the tests and `db current`)."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(text(
            "SELECT DISTINCT tgname FROM pg_trigger WHERE tgname LIKE 'cache\\_%'"))
    else:
        rows = connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cache\\_%' "
            "ESCAPE '\\'"))
    return {row[0] for row in rows}


def expected() -> set[str]:
    return {trigger_name(w.table, op) for w in WATCHED for op in w.operations}
