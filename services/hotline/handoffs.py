"""Handoff notes: whoever hands a case on (transfer, escalation, reassignment) writes one line
for the next expert, who reads it first; or says why not (a short choice, or their own words).

`Handoff.of(summary, skip_reason)` is the one check of what an edge collected: one line,
bounded; a skip needs a reason. The bot asks with a prompt and two ready reasons, the console
with a field and the same choices, the CLI with --summary / --skip-reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.refusals import Refused
from storage.models.hotline_handoffs import REASON_LIMIT, SUMMARY_LIMIT

# The ready reasons for skipping (their words are in the catalogue); free text is kept as is.
SKIP_REASONS = {"nothing": "hotline.handoff.skip.nothing",
                "urgent": "hotline.handoff.skip.urgent"}


@dataclass(frozen=True, slots=True)
class Handoff:
    summary: str | None = None
    skip_reason: str | None = None  # a SKIP_REASONS key, or the person's own words

    @classmethod
    def of(cls, summary: str | None, skip_reason: str | None) -> Handoff:
        line = " ".join((summary or "").split())  # one line, whatever was pasted
        reason = " ".join((skip_reason or "").split())
        if line:
            if len(line) > SUMMARY_LIMIT:
                raise Refused("hotline.handoff.too_long", "summary", limit=SUMMARY_LIMIT)
            return cls(summary=line)
        if not reason:
            raise Refused("hotline.handoff.reason_needed", "summary")
        if len(reason) > REASON_LIMIT:
            raise Refused("hotline.handoff.too_long", "skip_reason", limit=REASON_LIMIT)
        return cls(skip_reason=reason)

    @classmethod
    def skipped(cls, reason: str) -> Handoff:
        return cls.of(None, reason)
