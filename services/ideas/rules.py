"""What an idea may hold, and the refusals a person can meet (each a text key for the reply)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from services.refusals import Refused

# Field -> longest accepted length, mirrored by the columns of storage.models.ideas.
LIMITS: dict[str, int] = {
    "title": 60, "problem": 1000, "solution": 1000, "contact": 128, "answer": 1000,
    "note": 1000,
}
# One-line fields; the others keep the author's line breaks.
SINGLE_LINE = {"title", "contact"}
REFERENCE = re.compile(r"^I-\d{4}-\d{4,}$")
REPORT_REASONS = ("spam", "offensive")
# Every text key the service layer answers with (tests/test_texts.py checks both locales).
INPUT_ERRORS = frozenset({"ideas.error.empty", "ideas.error.too_long",
                          "ideas.error.photo_too_big"})
REFUSALS = frozenset({
    "ideas.refused.daily_limit", "ideas.refused.not_yours", "ideas.refused.withdrawn",
    "ideas.refused.edit_closed", "ideas.refused.withdraw_public", "ideas.refused.unknown",
    "ideas.refused.stale", "ideas.refused.nothing_to_publish",
    "ideas.refused.no_such_reference", "ideas.refused.not_public",
    "ideas.refused.own_support", "ideas.refused.duplicate_of_itself",
    "ideas.refused.panel_retired", "ideas.refused.panel_closed",
    "ideas.refused.changed_meanwhile",
})


class IdeaInputError(ValueError):
    """An answer cannot be stored; `reason` is a text key, `limit` the bound it broke."""

    def __init__(self, reason: str, limit: int | str = 0) -> None:
        assert reason in INPUT_ERRORS, reason
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


class IdeaRefused(Refused):
    """The action is not allowed in the idea's state (or to this person): nothing changed.

    A services.refusals.Refused: `key` (also `reason`) is a text key; `values` fill its
    placeholders, so every edge renders it with Texts.refusal."""

    def __init__(self, reason: str, **values: Any) -> None:
        assert reason in REFUSALS, reason
        super().__init__(reason, **values)

    @property
    def reason(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class PhotoOffer:
    """What Telegram says about a photo a person sent (the largest size)."""

    file_id: str
    file_size: int | None


def clean_text(field: str, raw: str | None) -> str:
    """Trims, collapses spaces (and line breaks in one-line fields) and checks the length."""
    if field in SINGLE_LINE:
        value = " ".join((raw or "").split())
    else:
        lines = [" ".join(line.split()) for line in (raw or "").strip().splitlines()]
        value = "\n".join(lines).strip()
        value = re.sub(r"\n{3,}", "\n\n", value)
    if not value:
        raise IdeaInputError("ideas.error.empty")
    if len(value) > LIMITS[field]:
        raise IdeaInputError("ideas.error.too_long", LIMITS[field])
    return value


def check_photo(photo: PhotoOffer, max_bytes: int) -> str:
    """Returns the file id of an acceptable photo."""
    if photo.file_size is not None and photo.file_size > max_bytes:
        raise IdeaInputError("ideas.error.photo_too_big", f"{max_bytes / 1_000_000:g}")
    return photo.file_id


def normalise_reference(raw: str | None) -> str | None:
    value = (raw or "").strip().upper()
    return value if REFERENCE.match(value) else None
