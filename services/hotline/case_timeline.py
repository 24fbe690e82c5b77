"""A case as one timeline: each message once, and what happened to the case between them
(asked, offered, escalated, claimed, transferred, ended, rated), oldest first.

Built from what the hotline already records: the offers (their level says whether an offer
was an escalation), the claims (a claim in a new category means the case was transferred
there), the closings and their ratings. The console renders it in the viewer's language and
the bureau's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from storage.models import CaseClaim, CaseLogEntry, CaseNote, CaseRating

if TYPE_CHECKING:  # case_browser builds the timeline with this module
    from services.hotline.case_browser import CaseDetail, TranscriptEntry


# A logged closing this close to a known one (a rating's, or the case's) is the same closing.
SAME_CLOSING = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class CaseEvent:
    kind: str  # asked, offered, escalated, staff_offered, claimed, transferred, ended, rated,
    # handed_over (taken over by staff, or given to another expert), reopened,
    # or note: an internal note (staff and the case's expert only; never sent to the asker)
    who: str = ""
    text: str = ""
    category: str = ""
    stars: int = 0
    by: str = ""  # of the last "ended": expert, asker or staff


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    event: CaseEvent | None = None
    message: TranscriptEntry | None = None

    @property
    def key(self) -> str:
        """Stable across renderings: the live page adds only items it has not shown."""
        if self.message is not None:
            return f"m{self.message.message_id}"
        assert self.event is not None
        return f"e-{self.event.kind}-{self.at.timestamp():.6f}"


def build_timeline(detail: CaseDetail, claims: list[CaseClaim], ratings: list[CaseRating],
                   names: dict[int, str], notes: list[CaseNote] | None = None,
                   logged: list[CaseLogEntry] | None = None) -> list[TimelineItem]:
    case = detail.case
    items = [TimelineItem(case.created_at, CaseEvent(
        "asked", detail.asker_name, category=_first_category(case.category, claims)))]
    for offer in detail.offers:
        kind = "staff_offered" if offer.name is None else (
            "offered" if offer.level == 0 else "escalated")
        items.append(TimelineItem(offer.at, CaseEvent(kind, offer.name or "")))
    category = _first_category(case.category, claims)
    for claim in claims:
        if claim.category != category:
            items.append(TimelineItem(claim.waiting_since,
                                      CaseEvent("transferred", category=claim.category)))
            category = claim.category
        items.append(TimelineItem(claim.claimed_at, CaseEvent(
            "claimed", names.get(claim.expert_id, str(claim.expert_id)),
            category=claim.category)))
    closings = {rating.closed_at for rating in ratings}
    if case.closed_at is not None:
        closings.add(case.closed_at)
    for closed_at in closings:
        latest = closed_at == case.closed_at
        items.append(TimelineItem(closed_at, CaseEvent(
            "ended", by=(case.closed_by or "") if latest else "")))
    for rating in ratings:
        items.append(TimelineItem(rating.created_at, CaseEvent("rated", stars=rating.stars)))
    items += [TimelineItem(note.created_at, CaseEvent(
        "note", names.get(note.author_id, str(note.author_id)), text=note.text))
        for note in notes or []]
    known = [_aware(moment) for moment in closings]
    for entry in logged or []:
        if entry.kind == "closed":
            if not any(abs(_aware(entry.created_at) - moment) < SAME_CLOSING for moment in known):
                items.append(TimelineItem(entry.created_at, CaseEvent("ended")))
            continue
        who = names.get(entry.person_id, str(entry.person_id)) if entry.person_id else ""
        items.append(TimelineItem(entry.created_at, CaseEvent(entry.kind, who)))
    items += [TimelineItem(entry.at, message=entry) for entry in detail.entries]
    # Events first at the same instant: a case is asked, then its question shown.
    return sorted(items, key=lambda item: (_aware(item.at), item.message is not None))


def _aware(moment: datetime) -> datetime:
    """SQLite hands some timestamps back without their zone; all were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _first_category(current: str, claims: list[CaseClaim]) -> str:
    """Where the case was asked: the category of its first claim, or its category now."""
    return claims[0].category if claims else current
