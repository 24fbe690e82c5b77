"""A refusal is a value, not a sentence: the catalogue key that explains it, the form field
it concerns (the console marks that field) and the values the text needs.

Every feature's front door (CaseService.reassign, RosterService.set_shift, ...) raises
`Refused` when permission or state says no. The edges render the same refusal in the reader's
language: the bot's handlers with `Texts.text(locale, refusal.key, **refusal.values)`, the
console's pages next to the field, the CLI on stderr. So the bot, the console and the CLI say
the same words for the same refusal, and no edge matches English text to find a key again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Refusal:
    key: str
    values: Mapping[str, Any] = field(default_factory=dict)
    field: str | None = None  # the form field it concerns, when there is one


class Refused(Exception):
    """Raised by a front door; `refusal` says why, in no language yet."""

    def __init__(self, key: str, field: str | None = None, **values: Any) -> None:
        super().__init__(key)
        self.refusal = Refusal(key, values, field)

    @property
    def key(self) -> str:
        return self.refusal.key

    @property
    def field(self) -> str | None:
        return self.refusal.field

    @property
    def values(self) -> Mapping[str, Any]:
        return self.refusal.values


def words(refusal: Refusal, text: Callable[..., str]) -> str:
    """The refusal through `text(key, **values)` of one language; a value that is itself a
    refusal (the line of a stored plan that a change would make invalid) in the same words."""
    values = {name: words(value, text) if isinstance(value, Refusal) else value
              for name, value in refusal.values.items()}
    return text(refusal.key, **values)
