"""The database writes down which case changed, so that live console pages in every process
see it (services/hotline/case_events.py follows the list).

Triggers, as for the caches (storage/cache_triggers.py), so that every writer is covered: the
bot, a second bot process, `hotline deliver`, the CLI. Each change to a case's row, an edited
message (a new one is told in-process: see SOURCES), a note or a hand-over of a case adds a
row (the case's id) to `hotline_changed_cases` in the changing transaction, and announces the
table as the cache triggers do (SQLite: its row in `cache_versions`, which `PRAGMA
data_version` readers notice; PostgreSQL: NOTIFY at commit), so a follower reads the list only
when it has grown.

Only the latest WINDOW rows are kept: each new row deletes the one WINDOW places before it
(exactly one row per insert, so concurrent writers never wait for each other's deletes).
A migration that rebuilds one of the SOURCES on SQLite (batch mode copies it) drops these
triggers: call `install` again at its end.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.cache_triggers import NOTIFY_CHANNEL

CHANGES_TABLE = "hotline_changed_cases"
WINDOW = 10_000
# (table, the column holding the case's id, the operations that change what a page shows)
# A new transcript row is not among them: only the process that handles the bot's updates
# writes one (Telegram hands a bot's updates to one poller or webhook), and that process
# tells its own pages (RelayService publishes to CaseEvents). A row trigger on the relay's
# hot path cost more than it could show: `make bench ONLY=hotline` at 200 messages a
# second, p99 148 ms with it and 15 ms without on PostgreSQL (the NOTIFY at every commit
# serialises the commits), 46 ms and 31 ms on SQLite.
SOURCES = (
    ("hotline_cases", "id", ("insert", "update")),
    ("hotline_case_messages", "case_id", ("update",)),
    ("hotline_case_notes", "case_id", ("insert",)),
    ("hotline_case_log", "case_id", ("insert",)),
)


def trigger_name(table: str, operation: str) -> str:
    return f"case_change_{table}_{operation}"


def _function_name(column: str) -> str:
    return f"hotline_case_changed_{column}"


def install(connection: Connection) -> None:
    """(Re)creates the triggers; safe to run again."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        for column in {column for _, column, _ in SOURCES}:
            # Names and numbers come from this module, never from input.
            function = _function_name(column)
            connection.execute(text(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "  # noqa: S608
                "DECLARE added bigint; BEGIN "
                f"INSERT INTO {CHANGES_TABLE} (case_id) VALUES (NEW.{column}) "
                "RETURNING id INTO added; "
                f"DELETE FROM {CHANGES_TABLE} WHERE id = added - {WINDOW}; "
                f"PERFORM pg_notify('{NOTIFY_CHANNEL}', '{CHANGES_TABLE}'); "
                "RETURN NULL; END $$ LANGUAGE plpgsql"))
    else:
        connection.execute(text(
            "INSERT INTO cache_versions (name, version) VALUES (:name, 0) "
            "ON CONFLICT (name) DO NOTHING"), {"name": CHANGES_TABLE})
    for table, column, operations in SOURCES:
        for operation in operations:
            name = trigger_name(table, operation)
            _drop(connection, table, operation)
            if postgres:
                connection.execute(text(
                    f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {_function_name(column)}()"))
                continue
            # Inside a trigger, last_insert_rowid() is the row the trigger just inserted.
            connection.execute(text(
                f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} "  # noqa: S608
                f"FOR EACH ROW BEGIN INSERT INTO {CHANGES_TABLE} (case_id) VALUES (NEW.{column}); "
                f"DELETE FROM {CHANGES_TABLE} WHERE id = last_insert_rowid() - {WINDOW}; "
                "UPDATE cache_versions SET version = version + 1 "
                f"WHERE name = '{CHANGES_TABLE}'; END"))


def uninstall(connection: Connection) -> None:
    for table, _, operations in SOURCES:
        for operation in operations:
            _drop(connection, table, operation)
    if connection.dialect.name == "postgresql":
        for column in {column for _, column, _ in SOURCES}:
            connection.execute(text(f"DROP FUNCTION IF EXISTS {_function_name(column)}()"))
    else:
        connection.execute(text("DELETE FROM cache_versions WHERE name = :name"),
                           {"name": CHANGES_TABLE})


def _drop(connection: Connection, table: str, operation: str) -> None:
    name = trigger_name(table, operation)
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
    else:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
