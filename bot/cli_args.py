"""Argument types and the parser of the `hotline` command line, in one place.

Ids are checked against what the database stores before any query: a Telegram id is a
BIGINT (Telegram's ids fit in 52 bits, but the column allows up to 2^63 - 1), a record id
an INTEGER (32 bits on PostgreSQL). A larger number used to reach the driver and end in an
OverflowError traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

TELEGRAM_ID_MAX = 2**63 - 1
RECORD_ID_MAX = 2**31 - 1


def bounded_int(what: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from low to high, or one sentence saying so."""

    def parse(value: str) -> int:
        text = value.strip()
        # int() also reads "1_000" and Arabic-Indic digits; an id is plain ASCII digits.
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isascii() or not digits.isdigit() or len(digits) > 20:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {value!r}")
        number = int(text)
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{what} must be from {low} to {high}, not {text}")
        return number

    parse.__name__ = what  # argparse names the type in some of its messages
    return parse


telegram_id = bounded_int("a Telegram id", 1, TELEGRAM_ID_MAX)
record_id = bounded_int("an id", 1, RECORD_ID_MAX)


def parse_record_id(value: str) -> int | None:
    """The id, or None when it is not one (for arguments parsed after argparse)."""
    try:
        return record_id(value)
    except argparse.ArgumentTypeError:
        return None


class Parser(argparse.ArgumentParser):
    """argparse with its errors in one sentence (the usage stays with --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def stderr_line(message: str) -> None:
    print(f"hotline: {message}", file=sys.stderr)
