"""The database a command works on: named in one line on stderr, never created by a read.

A read command on a missing SQLite file used to create an empty database and answer
"0 experts"; now it says there is none (and where it looked) instead.
"""

from __future__ import annotations

import argparse
import sys

from bot.database_choice import choose_database
from bot.settings import Settings, SettingsError

# (command, action) pairs that only read; None: every action of the command.
_READS: frozenset[tuple[str, str | None]] = frozenset({
    ("db", "current"), ("users", "list"), ("log", "show"), ("places", "list"),
    ("ideas", "export"), ("ideas", "statuses"), ("trainings", "list"),
    ("trainings", "export"), ("experts", "list"), ("categories", "list"), ("roster", "show"),
    ("cases", "show"), ("cases", "export"), ("topics", "list"), ("announce", "status"),
    ("calendar", "show"), ("fallback", "list"),
    ("deliver", None),
})


def only_reads(args: argparse.Namespace) -> bool:
    action = getattr(args, "action", None)
    if isinstance(action, list):  # `announce status ID` parses its words itself
        action = action[0] if action else None
    return (args.command, action) in _READS or (args.command, None) in _READS


def use_database(settings: Settings, args: argparse.Namespace) -> Settings:
    """The settings pointed at the chosen database, after saying which one it is."""
    choice = choose_database(settings)
    print(f"hotline: database {choice.describe()}", file=sys.stderr)
    database = choice.sqlite_file
    if database is not None and not database.exists():
        if only_reads(args):
            raise SettingsError(
                f"there is no database at {database} yet, so there is nothing to show: start "
                "the bot once (make run), or set HOTLINE_DATABASE_URL to the one it uses.")
        print(f"hotline: {database} does not exist yet: creating it", file=sys.stderr)
    return settings.model_copy(update={"database_url": choice.url})
