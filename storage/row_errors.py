"""Telling a row the database refuses from a database that is not there, and making text
storable on every backend.

A batch writer must set aside a row that can never be written (a broken constraint, a value
out of range) and go on, yet keep every row while the database itself is unreachable: setting
those aside would lose all of them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DataError, IntegrityError, StatementError

# PostgreSQL's text type cannot hold U+0000 (SQLite can). It is replaced, not stripped: the
# replacement character is one UTF-16 unit as well, so Telegram's entity offsets stay right,
# and a reader sees that something unprintable was there.
NUL = "\x00"
REPLACEMENT = "\ufffd"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def storable_text(value: str) -> str:
    return value.replace(NUL, REPLACEMENT) if NUL in value else value


def storable_row(values: dict[str, Any]) -> dict[str, Any]:
    """The row with its texts made storable (a new dict only when something changed)."""
    if not any(isinstance(v, str) and NUL in v for v in values.values()):
        return values
    return {k: storable_text(v) if isinstance(v, str) else v for k, v in values.items()}


def out_of_range_column(values: dict[str, Any]) -> str | None:
    """The first column holding an integer no BIGINT column can store, if any."""
    for key, value in values.items():
        if isinstance(value, int) and not isinstance(value, bool) and not (
                INT64_MIN <= value <= INT64_MAX):
            return key
    return None


def is_row_error(exc: BaseException) -> bool:
    """True when the row itself is at fault, so writing it again can never succeed."""
    if isinstance(exc, IntegrityError | DataError):
        return True
    if isinstance(exc, OverflowError | ValueError | TypeError):
        return True
    # A value the driver could not even bind (sqlite3's OverflowError, asyncpg's range checks)
    # arrives wrapped in a StatementError whose cause is not a database error.
    return isinstance(exc, StatementError) and isinstance(
        exc.orig, OverflowError | ValueError | TypeError | DataError | IntegrityError)


def describe_row_error(exc: BaseException) -> str:
    """One line: the driver's own first line, without SQLAlchemy's statement dump."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}".rstrip(": ")
