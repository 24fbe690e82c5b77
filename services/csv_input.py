"""Reading CSV files people made: each row with the line it starts on, malformed ones named.

The csv module raises csv.Error for a field over its size limit (131,072 characters) or a
quote left open; without a line number and reason the person cannot find what to fix.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")


class CsvLineError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def reason_of(error: csv.Error) -> str:
    too_long = _FIELD_LIMIT.search(str(error))
    if too_long:
        return f"a field is longer than {int(too_long.group(1)):,} characters"
    if "unexpected end of data" in str(error):
        return "a quoted field is not closed"
    return f"not readable as CSV ({error})"


def numbered_rows(reader: Any) -> Iterator[tuple[int, Any]]:
    """(line the row starts on, row) for a csv.reader or csv.DictReader."""
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvLineError(start, reason_of(error)) from None
        yield start, row
        start = reader.line_num + 1
