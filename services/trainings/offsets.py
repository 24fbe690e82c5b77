"""Reminder offsets ("7d,1d,1h"), parsed strictly: a typo in a setting is an error, not a
silently missing reminder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_PART = re.compile(r"^(\d{1,3})([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
# Longer than this is no reminder; a reminder a few minutes ahead is still useful.
_LONGEST = timedelta(days=60)


@dataclass(frozen=True, slots=True, order=True)
class Offset:
    delta: timedelta
    label: str  # "1d": stored with the reminder, and the text key suffix


def parse_offsets(raw: str) -> tuple[Offset, ...]:
    """"7d,1d,1h" → offsets, longest first; raises ValueError naming the bad part."""
    parts = [part.strip() for part in raw.split(",")]
    if not raw.strip():
        return ()
    offsets: list[Offset] = []
    for part in parts:
        match = _PART.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not like 7d, 1d, 1h or 30m")
        delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        if not timedelta(0) < delta <= _LONGEST:
            raise ValueError(f"{part!r} must be more than 0 and at most 60 days")
        offsets.append(Offset(delta, part))
    if len({offset.delta for offset in offsets}) != len(offsets):
        raise ValueError("an offset is listed twice")
    return tuple(sorted(offsets, reverse=True))
