"""The reasons `hotline roster import` gives for refusing a file, as catalogue keys.

The command line speaks English (`line 4: unknown category 'tax'`); the console shows the
same refusal, with the same line number, in the reader's language. The patterns follow the
messages of services/hotline/roster.py one for one (tests/test_console_ops_roster.py feeds
each real refusal through them); anything unforeseen is shown as the raw reason.
"""

from __future__ import annotations

import ast
import re

_LINE = re.compile(r"^line (\d+): (.*)$", re.DOTALL)
# (pattern of the reason, key under console_ops.csv.); named groups become the values.
_REASONS: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.DOTALL), k) for p, k in [
    (r"^the columns must be (?P<columns>.+)$", "header"),
    (r"^more than (?P<limit>\d+) shifts$", "too_many"),
    (r"^expected (?P<expected>\d+) columns, found (?P<found>\d+)$", "column_count"),
    (r"^telegram_id (?P<value>.+) is not a number$", "not_number"),
    (r"^(?P<value>-?\d+) is not an expert\b.*$", "not_expert"),
    (r"^categories is empty$", "categories_empty"),
    (r"^unknown category (?P<value>.+)$", "unknown_category"),
    (r"^expert (?P<expert>-?\d+) does not answer (?P<value>.+)$", "not_in_category"),
    (r"^start (?P<value>.+) is not a time like 09:00$", "bad_start"),
    (r"^end (?P<value>.+) is not a time like 09:00$", "bad_end"),
    (r"^end (?P<end>\S+) is not after start (?P<start>\S+)$", "end_before_start"),
    (r"^days is empty\b.*$", "days_empty"),
    (r"^(?P<value>.+) is not a day\b.*$", "bad_day"),
]]
KEYS = frozenset({key for _, key in _REASONS}
                 | {"other", "too_big", "encoding", "empty", "no_shifts"})
# The whole-file refusal of a file with no shifts (services/hotline/roster.py NO_SHIFTS).
_NO_SHIFTS = "the file has no shifts"


class RosterImportRejected(ValueError):
    """A refused roster file: the line (0 when the file as a whole is the problem), the
    reason's key under `console_ops.csv.`, and its values."""

    def __init__(self, line: int, key: str, **values: object) -> None:
        super().__init__(f"line {line}: {key}")
        self.line, self.key, self.values = line, key, values


def _unquoted(value: str) -> str:
    """`'tax'` (a repr, as the parser quotes values) -> `tax`."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        try:
            return str(ast.literal_eval(value))
        except (ValueError, SyntaxError):
            return value[1:-1]
    return value


def rejection_of(message: str) -> RosterImportRejected:
    """The structured form of a RosterFileError's message."""
    if message.startswith(_NO_SHIFTS):
        return RosterImportRejected(0, "no_shifts")
    matched = _LINE.match(message.strip())
    if matched is None:
        return RosterImportRejected(0, "other", reason=message)
    line, reason = int(matched.group(1)), matched.group(2)
    for pattern, key in _REASONS:
        found = pattern.match(reason)
        if found:
            values = {name: _unquoted(value) for name, value in found.groupdict().items()}
            return RosterImportRejected(line, key, **values)
    return RosterImportRejected(line, "other", reason=reason)
