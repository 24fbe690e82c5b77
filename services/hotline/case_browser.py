"""Cases for the staff console: the filtered list, a page at a time, and one case's
transcript as each side saw it (the asker's chat and the expert's chat, message by message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import ceil

from services.hotline.case_timeline import TimelineItem, build_timeline
from services.hotline.cases import CaseService
from services.hotline.experts import ExpertService
from services.hotline.reports import ReportService
from services.people import PeopleService
from services.profiles import ProfileService
from storage.models import Case, CaseMessage, CaseStatus
from storage.repositories.hotline_browsing import CaseQuery, HotlineBrowsingRepository
from storage.repositories.hotline_notes import CaseNoteRepository

STATUSES = (CaseStatus.OFFERED, CaseStatus.OPEN, CaseStatus.CLOSED)
PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class CaseFilters:
    """The list's filters as the page gives them (local dates, inclusive)."""

    category: str | None = None
    expert_id: int | None = None
    status: str | None = None
    first: date | None = None
    last: date | None = None
    number: str | None = None
    visible_to: int | None = None  # an expert's telegram id: their cases and offers only


@dataclass(frozen=True, slots=True)
class CaseListItem:
    case: Case
    asker_name: str
    expert_name: str
    messages: int


@dataclass(frozen=True, slots=True)
class CasePage:
    items: list[CaseListItem]
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class Edit:
    at: datetime
    text: str | None


@dataclass(slots=True)
class TranscriptEntry:
    """One message: who sent it, what it said (and each later edit), and how it reached
    the other side (delivered as a copy, held until someone claimed, or failed)."""

    side: str  # asker or expert (staff who took a case over answer as its expert)
    sender_id: int | None
    sender_name: str
    alias_zh: str  # how the asker saw an expert's message; empty for the asker's own
    alias_en: str
    at: datetime
    kind: str
    text: str | None
    media_ref: str | None
    delivery: str
    recipient_name: str
    erased: bool  # the asker used /forget: their words are gone, the message is not
    edits: list[Edit] = field(default_factory=list)
    message_id: int = 0  # the first version's row: the console serves its file by it

    @property
    def current_text(self) -> str | None:
        """What both chats show now: the last edit, or the original."""
        return self.edits[-1].text if self.edits else self.text


@dataclass(frozen=True, slots=True)
class Offer:
    """A Claim button the case was offered with: to whom (None: the staff group), at which
    step of the routing (0 on duty, 1 backups, 2 staff), when."""

    name: str | None
    level: int
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    category_zh: str
    category_en: str
    asker_name: str
    asker_organisation: str
    asker_locale: str
    expert_name: str
    alias_zh: str
    alias_en: str
    entries: list[TranscriptEntry]
    offers: list[Offer]


class CaseBrowser:
    def __init__(self, browsing: HotlineBrowsingRepository, cases: CaseService,
                 experts: ExpertService, reports: ReportService, people: PeopleService,
                 profiles: ProfileService, notes: CaseNoteRepository | None = None) -> None:
        self._browsing = browsing
        self._notes = notes
        self._cases = cases
        self._experts = experts
        self._reports = reports
        self._people = people
        self._profiles = profiles
        self.zone = reports.zone

    def bounds(self, first: date | None, last: date | None
               ) -> tuple[datetime | None, datetime | None]:
        """Local dates (inclusive) as UTC-comparable moments, `last` exclusive."""
        start = datetime.combine(first, time(), self.zone) if first else None
        end = datetime.combine(last + timedelta(days=1), time(), self.zone) if last else None
        return start, end

    async def search(self, filters: CaseFilters, page: int) -> CasePage:
        first, last = self.bounds(filters.first, filters.last)
        query = CaseQuery(filters.category, filters.expert_id, filters.status, first, last,
                          filters.number, filters.visible_to)
        page = max(page, 1)
        rows, total = await self._browsing.search_cases(query, (page - 1) * PAGE_SIZE,
                                                        PAGE_SIZE)
        names = await self.names({r.case.asker_id for r in rows}
                                 | {r.case.expert_id for r in rows if r.case.expert_id})
        items = [CaseListItem(r.case, names.get(r.case.asker_id, ""),
                              names.get(r.case.expert_id, "") if r.case.expert_id else "",
                              r.messages) for r in rows]
        return CasePage(items, total, page, max(1, ceil(total / PAGE_SIZE)))

    async def names(self, ids: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for telegram_id in ids:
            person = await self._people.get(telegram_id)
            found[telegram_id] = person.display_name if person else str(telegram_id)
        return found

    async def case(self, number: str) -> Case | None:
        return await self._cases.repository.by_number(number.strip().upper())

    async def expert_may_see(self, case: Case, telegram_id: int) -> bool:
        """An expert sees a case they hold, or one still offered to them; staff see all."""
        if case.expert_id == telegram_id:
            return True
        if case.status != CaseStatus.OFFERED:
            return False
        offers = await self._cases.repository.offers(case.id)
        return any(offer.expert_id == telegram_id for offer in offers)

    async def detail(self, number: str) -> CaseDetail | None:
        case = await self.case(number)
        if case is None:
            return None
        messages = await self._cases.repository.transcript.messages(case.id)
        offers = await self._cases.repository.offers(case.id)
        ids = {case.asker_id} | {m.sender_id for m in messages if m.sender_id}
        ids |= {o.expert_id for o in offers if o.expert_id}
        ids |= {m.target_chat_id for m in messages if m.target_chat_id}
        if case.expert_id:
            ids.add(case.expert_id)
        names = await self.names(ids)
        category = await self._experts.category(case.category)
        profile = await self._profiles.get(case.asker_id)
        asker = await self._people.get(case.asker_id)
        alias_zh, alias_en = await self._cases.aliases(case.expert_id)
        return CaseDetail(
            case, category.name_zh if category else case.category,
            category.name_en if category else case.category, names[case.asker_id],
            # A middle dot reads right in both languages (no ASCII comma in Chinese).
            f"{profile.organisation} · {profile.community}" if profile else "",
            asker.locale if asker else "zh_CN",
            names.get(case.expert_id, "") if case.expert_id else "", alias_zh, alias_en,
            await self._entries(case, messages, names),
            [Offer(names[o.expert_id] if o.expert_id else None, o.level, o.created_at)
             for o in offers])

    async def _entries(self, case: Case, messages: list[CaseMessage],
                       names: dict[int, str]) -> list[TranscriptEntry]:
        entries: dict[tuple[int, int], TranscriptEntry] = {}
        aliases: dict[int, tuple[str, str]] = {}
        for m in messages:
            key = (m.source_chat_id, m.source_message_id)
            if m.version and key in entries:
                entries[key].edits.append(Edit(m.created_at, m.text))
                continue
            side = "asker" if m.sender_role == "asker" else "expert"
            alias = ("", "")
            if side == "expert" and m.sender_id is not None:
                if m.sender_id not in aliases:
                    aliases[m.sender_id] = await self._cases.aliases(m.sender_id)
                alias = aliases[m.sender_id]
            entries[key] = TranscriptEntry(
                side, m.sender_id, names.get(m.sender_id, "") if m.sender_id else "",
                alias[0], alias[1], m.created_at, m.kind, m.text, m.media_ref, m.delivery,
                names.get(m.target_chat_id, "") if m.target_chat_id else "",
                erased=side == "asker" and m.text is None and m.media_ref is None,
                message_id=m.id or 0)
        return list(entries.values())

    async def timeline(self, detail: CaseDetail) -> list[TimelineItem]:
        """The case as one timeline of messages and events (services/hotline/case_timeline)."""
        repository = self._cases.repository
        claims = await repository.history.claims_of([detail.case.id])
        notes = await self._notes.of_case(detail.case.id) if self._notes else []
        logged = await repository.log.logged_events(detail.case.id)
        names = await self.names({claim.expert_id for claim in claims}
                                 | {note.author_id for note in notes}
                                 | {e.person_id for e in logged if e.person_id is not None})
        ratings = await repository.history.ratings(detail.case.id)
        return build_timeline(detail, claims, ratings, names, notes, logged)

    def local(self, moment: datetime | None) -> str:
        return self._reports.local(moment)

    async def export(self, first: date, last: date, kind: str, locale: str,
                     text: Callable[[str], str]) -> tuple[bytes, int, str]:
        """The same file as `hotline cases export --from --to --format`, and its name."""
        start, end = self.bounds(first, last)
        assert start is not None and end is not None
        data, count = await self._reports.export(start, end, kind, locale, text)
        return data, count, f"cases-{first}-{last}.{kind}"
