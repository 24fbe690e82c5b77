"""Figures, transcripts and exports of hotline cases (for /stats, the CLI and the weekly report)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import mean
from zoneinfo import ZoneInfo

from services.hotline.experts import ExpertService
from services.hotline.working_clock import CaseClocks, WorkingClock, WorkingHours
from services.hotline.working_time import as_utc
from services.people import PeopleService
from services.spreadsheets import table
from storage.models import Case, CaseClaim, CaseMessage, CaseRating, CaseStatus
from storage.repositories.hotline_cases import CaseRepository

# Headers are the catalogue texts records.cases.<column>.
EXPORT_COLUMNS = ("number", "category", "status", "asker", "asker_id", "expert", "expert_id",
                  "created_at", "claimed_at", "first_answer_at", "closed_at",
                  "minutes_to_claim", "minutes_to_first_answer", "minutes_to_close", "rating",
                  "rating_comment", "messages", "all_ratings")
_STATUSES = (CaseStatus.OFFERED, CaseStatus.OPEN, CaseStatus.CLOSED)
# Every text an export uses, for the catalogue completeness test.
EXPORT_TEXT_KEYS = frozenset({f"records.cases.{c}" for c in EXPORT_COLUMNS}
                             | {f"records.case_status.{s}" for s in _STATUSES}
                             | {"records.cases.sheet"})
Text = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Figures:
    """One row of /stats: a category or an expert."""

    label: str
    cases: int
    claimed: int
    closed: int
    minutes_to_claim: float | None
    minutes_to_first_answer: float | None
    minutes_to_close: float | None
    rating: float | None
    ratings: int
    # The same three in working time (services/hotline/working_time.py): only the roster's
    # hours for the case's category on working days count. None without a working clock.
    working_to_claim: float | None = None
    working_to_first_answer: float | None = None
    working_to_close: float | None = None


def _minutes(first: datetime | None, last: datetime | None) -> float | None:
    if first is None or last is None:
        return None
    return (last - first).total_seconds() / 60


def _average(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(mean(present), 1) if present else None


def figures_of(label: str, cases: list[Case], claims: list[CaseClaim],
               hours: WorkingHours | None = None) -> Figures:
    """Claim times come from `claims` (each measured in the category it was made in, from
    when the case began waiting there); a case that waits again after a transfer is not
    counted as claimed. Ratings are each case's latest: the asker's last word on it.
    Working times are measured in the category's hours: a claim's where it was made, the
    answer and the close in the case's category now."""
    ratings = [c.rating for c in cases if c.rating is not None]
    working: dict[str, float | None] = {}
    if hours is not None:
        working = {
            "working_to_claim": _average(hours.minutes(c.category, c.waiting_since,
                                                       c.claimed_at) for c in claims),
            "working_to_first_answer": _average(hours.minutes(c.category, c.claimed_at,
                                                              c.first_answer_at)
                                                for c in cases),
            "working_to_close": _average(hours.minutes(c.category, c.created_at, c.closed_at)
                                         for c in cases),
        }
    return Figures(
        label=label,
        cases=len(cases),
        claimed=sum(1 for c in cases if c.claimed_at is not None),
        closed=sum(1 for c in cases if c.closed_at is not None),
        minutes_to_claim=_average(_minutes(c.waiting_since, c.claimed_at) for c in claims),
        minutes_to_first_answer=_average(_minutes(c.claimed_at, c.first_answer_at)
                                         for c in cases),
        minutes_to_close=_average(_minutes(c.created_at, c.closed_at) for c in cases),
        rating=round(mean(ratings), 2) if ratings else None,
        ratings=len(ratings),
        **working,
    )


class ReportService:
    def __init__(self, cases: CaseRepository, experts: ExpertService, timezone: str,
                 people: PeopleService, working: WorkingClock | None = None) -> None:
        self._cases = cases
        self._experts = experts
        self._people = people
        self.zone = ZoneInfo(timezone)
        self.working = working

    async def working_hours(self, cases: Iterable[Case],
                            claims: Iterable[CaseClaim] = ()) -> WorkingHours | None:
        """One snapshot of the working hours covering every moment of these cases."""
        moments = [as_utc(m) for c in cases for m in (c.created_at, c.claimed_at,
                                                      c.first_answer_at, c.closed_at) if m]
        moments += [as_utc(m) for c in claims for m in (c.waiting_since, c.claimed_at) if m]
        if self.working is None or not moments:
            return None
        return await self.working.hours(min(moments), max(moments))

    async def case_clocks(self, case: Case) -> CaseClocks | None:
        """The case page's times in both clocks (None without a working clock)."""
        hours = await self.working_hours([case])
        return hours.case_clocks(case) if hours is not None else None

    async def figures(self, first: datetime, last: datetime,
                      locale: str) -> tuple[Figures, list[Figures], list[Figures]]:
        """Totals, then per category, then per handler, for cases opened in [first, last)."""
        cases = await self._cases.between(first, last)
        claims = await self._cases.history.claims_of([c.id for c in cases if c.id is not None])
        hours = await self.working_hours(cases, claims)
        categories = {c.key: (c.name_en if locale == "en" else c.name_zh)
                      for c in await self._experts.categories()}
        # A category counts its cases now in it, and the claims made in it (a case
        # transferred away still leaves its claim time where it was claimed).
        by_category = [figures_of(name, [c for c in cases if c.category == key],
                                  [c for c in claims if c.category == key], hours)
                       for key, name in categories.items()]
        by_expert = []
        handlers = {c.expert_id for c in cases if c.expert_id is not None}
        handlers |= {c.expert_id for c in claims}
        for expert_id in sorted(handlers):
            by_expert.append(figures_of(
                await self._handler_label(expert_id, locale),
                [c for c in cases if c.expert_id == expert_id],
                [c for c in claims if c.expert_id == expert_id], hours))
        return (figures_of("", cases, claims, hours),
                [f for f in by_category if f.cases or f.minutes_to_claim is not None],
                by_expert)

    async def _handler_label(self, telegram_id: int, locale: str) -> str:
        """An expert by name and alias; staff who took a case over by their Telegram name
        and the alias askers saw; the bare id only for someone the bot no longer knows."""
        expert = await self._experts.get(telegram_id)
        if expert is not None:
            return f"{expert.name} ({expert.alias(locale)})"
        alias_zh, alias_en = self._experts.staff_aliases()
        alias = alias_en if locale == "en" else alias_zh
        person = await self._people.get(telegram_id)
        name = person.full_name if person is not None else ""
        return f"{name} ({alias})" if name else f"{telegram_id} ({alias})"

    def local(self, moment: datetime | None) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    async def transcript(
            self, number: str) -> tuple[Case, list[CaseMessage], list[CaseRating]] | None:
        case = await self._cases.by_number(number.strip().upper())
        if case is None:
            return None
        return (case, await self._cases.transcript.messages(case.id),
                await self._cases.history.ratings(case.id))

    def transcript_lines(self, case: Case, messages: list[CaseMessage],
                         ratings: list[CaseRating] | None = None) -> list[str]:
        """The case, each message with its id mapping, then every rating given."""
        lines = [f"{case.number} · {case.category} · {case.status} · asker {case.asker_id} · "
                 f"expert {case.expert_id or '-'} · opened {self.local(case.created_at)}"]
        for m in messages:
            who = {"asker": "asker", "expert": "expert"}.get(m.sender_role, m.sender_role)
            edited = f" (edit {m.version})" if m.version else ""
            media = f" [{m.kind} {m.media_ref}]" if m.media_ref else ""
            text = (m.text or "").replace("\n", " ⏎ ")
            mapping = (f"{m.source_chat_id}#{m.source_message_id} → "
                       f"{m.target_chat_id or '-'}#{m.target_message_id or '-'}")
            lines.append(f"{self.local(m.created_at)} {who}{edited}: {text}{media} "
                         f"({mapping}, {m.delivery})")
        for rating in ratings or []:
            lines.append(f"rating {rating.stars}/5 ({self.local(rating.created_at)})"
                         + (f": {rating.comment}" if rating.comment else ""))
        return lines

    async def export_rows(self, first: datetime, last: datetime, locale: str,
                          text: Text) -> list[list[object]]:
        """One row per case opened in [first, last), in `locale`: names rather than ids
        (ids kept beside them for matching), local times as spreadsheet dates."""
        categories = {c.key: (c.name_en if locale == "en" else c.name_zh)
                      for c in await self._experts.categories(include_inactive=True)}
        names: dict[int, str] = {}
        rows: list[list[object]] = []
        for case in await self._cases.between(first, last):
            count = len([m for m in await self._cases.transcript.messages(case.id)
                         if m.version == 0])
            values = {
                "number": case.number,
                "category": categories.get(case.category, case.category),
                "status": (text(f"records.case_status.{case.status}")
                           if case.status in _STATUSES else case.status),
                "asker": await self._name(case.asker_id, names),
                "asker_id": case.asker_id,
                "expert": await self._name(case.expert_id, names) if case.expert_id else "",
                "expert_id": case.expert_id or "",
                "created_at": self.local_moment(case.created_at),
                "claimed_at": self.local_moment(case.claimed_at),
                "first_answer_at": self.local_moment(case.first_answer_at),
                "closed_at": self.local_moment(case.closed_at),
                "minutes_to_claim": _rounded(_minutes(case.created_at, case.claimed_at)),
                "minutes_to_first_answer": _rounded(_minutes(case.claimed_at,
                                                             case.first_answer_at)),
                "minutes_to_close": _rounded(_minutes(case.created_at, case.closed_at)),
                "rating": case.rating or "",
                "rating_comment": case.rating_comment or "",
                "messages": count,
                # rating/rating_comment are the latest; a reopened case's earlier ones too:
                "all_ratings": ";".join(str(r.stars)
                                        for r in await self._cases.history.ratings(case.id)),
            }
            rows.append([values[column] for column in EXPORT_COLUMNS])
        return rows

    async def _name(self, telegram_id: int, names: dict[int, str]) -> str:
        """An expert by their name, anyone else by their Telegram name."""
        if telegram_id not in names:
            expert = await self._experts.get(telegram_id)
            person = None if expert is not None else await self._people.get(telegram_id)
            names[telegram_id] = (expert.name if expert is not None
                                  else person.full_name if person is not None else "")
        return names[telegram_id]

    def local_moment(self, moment: datetime | None) -> datetime | str:
        """The local wall-clock time without a zone: what a spreadsheet shows as a date."""
        if moment is None:
            return ""
        return moment.astimezone(self.zone).replace(tzinfo=None, microsecond=0)

    async def export(self, first: datetime, last: datetime, kind: str, locale: str,
                     text: Text) -> tuple[bytes, int]:
        """The cases as a csv or xlsx file's bytes in `locale`, and how many rows it holds."""
        rows = await self.export_rows(first, last, locale, text)
        headers = [text(f"records.cases.{column}") for column in EXPORT_COLUMNS]
        return table(kind, text("records.cases.sheet"), headers, rows), len(rows)


def _rounded(value: float | None) -> float | str:
    return round(value, 1) if value is not None else ""
