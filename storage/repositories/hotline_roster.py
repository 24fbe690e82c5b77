"""Hotline categories, experts and the duty roster (weekly plan plus dated overrides)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import Expert, HotlineCategory, RosterOverride, RosterShift
from storage.upsert import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class CategoryRow:
    key: str
    name_zh: str
    name_en: str
    active: bool


@dataclass(frozen=True, slots=True)
class ExpertRow:
    telegram_id: int
    name: str
    name_en: str | None
    categories: tuple[str, ...]
    alias_zh: str | None
    alias_en: str | None
    stepped_off: bool
    active_case_id: int | None


@dataclass(frozen=True, slots=True)
class ShiftRow:
    telegram_id: int
    categories: tuple[str, ...]
    days: str
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class OverrideRow:
    id: int
    day: date
    telegram_id: int
    kind: str
    categories: tuple[str, ...]
    start: str | None
    end: str | None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part for part in (value or "").split(",") if part)


def _expert(row: Expert) -> ExpertRow:
    return ExpertRow(row.telegram_id, row.name, row.name_en, _split(row.categories), row.alias_zh,
                     row.alias_en, row.stepped_off, row.active_case_id)


class RosterRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    # ------------------------------------------------------------------ categories

    async def categories(self, *, include_inactive: bool = False) -> list[CategoryRow]:
        async with self._db.session() as session:
            query = select(HotlineCategory).order_by(HotlineCategory.position)
            if not include_inactive:
                query = query.where(HotlineCategory.active)
            rows = (await session.execute(query)).scalars().all()
            return [CategoryRow(r.key, r.name_zh, r.name_en, r.active) for r in rows]

    async def seed_categories(self, rows: list[tuple[str, str, str]]) -> None:
        """The first categories (key, zh, en); a second process seeding at the same moment
        finds them there and adds nothing."""
        async with self._db.session() as session:
            await session.execute(insert_ignoring_conflicts(session, HotlineCategory, [
                {"key": key, "name_zh": zh, "name_en": en, "position": position,
                 "active": True} for position, (key, zh, en) in enumerate(rows)]))

    async def save_category(self, key: str, name_zh: str, name_en: str, active: bool) -> None:
        async with self._db.session() as session:
            existing = await session.get(HotlineCategory, key)
            if existing is None:
                count = len((await session.execute(select(HotlineCategory.key))).all())
                session.add(HotlineCategory(key=key, name_zh=name_zh, name_en=name_en,
                                            position=count, active=active))
            else:
                existing.name_zh, existing.name_en, existing.active = name_zh, name_en, active

    # ------------------------------------------------------------------ experts

    async def save_expert(self, telegram_id: int, name: str, name_en: str | None,
                          categories: tuple[str, ...], alias_zh: str | None,
                          alias_en: str | None) -> bool:
        """Adds or updates an expert; returns True when the expert is new."""
        async with self._db.session() as session:
            existing = await session.get(Expert, telegram_id)
            if existing is None:
                session.add(Expert(telegram_id=telegram_id, name=name, name_en=name_en,
                                   categories=",".join(categories), alias_zh=alias_zh,
                                   alias_en=alias_en))
                return True
            existing.name, existing.name_en = name, name_en
            existing.categories = ",".join(categories)
            existing.alias_zh, existing.alias_en = alias_zh, alias_en
            return False

    async def expert(self, telegram_id: int) -> ExpertRow | None:
        async with self._db.session() as session:
            row = await session.get(Expert, telegram_id)
            return _expert(row) if row is not None else None

    async def experts(self) -> list[ExpertRow]:
        async with self._db.session() as session:
            rows = (await session.execute(select(Expert).order_by(Expert.telegram_id))).scalars()
            return [_expert(r) for r in rows]

    async def set_stepped_off(self, telegram_id: int, stepped_off: bool) -> None:
        async with self._db.session() as session:
            await session.execute(update(Expert).where(Expert.telegram_id == telegram_id)
                                  .values(stepped_off=stepped_off))

    async def set_active_case(self, telegram_id: int, case_id: int | None) -> None:
        async with self._db.session() as session:
            await session.execute(update(Expert).where(Expert.telegram_id == telegram_id)
                                  .values(active_case_id=case_id))

    # ------------------------------------------------------------------ the roster

    async def shifts(self) -> list[ShiftRow]:
        async with self._db.session() as session:
            rows = (await session.execute(select(RosterShift).order_by(RosterShift.line,
                                                                       RosterShift.id)))
            return [ShiftRow(r.telegram_id, tuple(r.categories.split(";")), r.days, r.start,
                             r.end) for r in rows.scalars()]

    async def replace_shifts(self, shifts: list[tuple[int, ShiftRow]]) -> None:
        """Swaps the weekly plan in one transaction: readers see the old or the new, whole."""
        async with self._db.session() as session:
            await session.execute(delete(RosterShift))
            session.add_all([
                RosterShift(telegram_id=s.telegram_id, categories=";".join(s.categories),
                            days=s.days, start=s.start, end=s.end, line=line)
                for line, s in shifts
            ])

    async def add_override(self, day: date, telegram_id: int, kind: str,
                           categories: tuple[str, ...], start: str | None,
                           end: str | None) -> int:
        async with self._db.session() as session:
            row = RosterOverride(day=day, telegram_id=telegram_id, kind=kind,
                                 categories=";".join(categories) or None, start=start, end=end)
            session.add(row)
            await session.flush()
            assert row.id is not None
            return row.id

    async def remove_override(self, override_id: int) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                delete(RosterOverride).where(RosterOverride.id == override_id))
            return bool(result.rowcount)

    async def overrides(self, first: date, last: date) -> list[OverrideRow]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(RosterOverride).where(RosterOverride.day >= first,
                                             RosterOverride.day <= last)
                .order_by(RosterOverride.day, RosterOverride.id))
            return [OverrideRow(r.id, r.day, r.telegram_id, r.kind,
                                tuple(p for p in (r.categories or "").split(";") if p),
                                r.start, r.end) for r in rows.scalars()]
