"""Counted texts without broken plurals ("1 working day", "2 working days"; Chinese has one
form): each counted text has a catalogue entry per CLDR plural category, chosen by Babel.

Both locales define every category listed here, so the catalogues keep the same keys.
"""

from __future__ import annotations

from functools import cache

from babel import Locale

CATEGORIES = ("one", "other")
# The counted texts (each has key.one and key.other in every locale).
COUNTED = (
    "records.roster.gaps_warning",
    "records.dashboard.rating",
    "records.dashboard.rating_votes",
    "records.dashboard.scheduled",
    "records.dashboard.waited_minutes",
    "records.dashboard.waited_hours",
    "records.dashboard.waited_days",
    "records.dashboard.undelivered",
)


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)


def plural_key(locale: str, key: str, count: int) -> str:
    form = _locale(locale).plural_form(abs(count))
    return f"{key}.{form if form in CATEGORIES else 'other'}"


def counted_keys() -> set[str]:
    return {f"{key}.{form}" for key in COUNTED for form in CATEGORIES}
