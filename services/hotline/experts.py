"""Hotline categories and experts: who answers what, and under which alias askers see them."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import storage
from services.people import PeopleService
from services.texts import Texts
from storage.models import Role
from storage.repositories.hotline_roster import CategoryRow, ExpertRow, RosterRepository

DEFAULT_CATEGORIES_FILE = Path(storage.__file__).parent / "seed" / "hotline_categories.csv"
_CATEGORY_KEY = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_NAME = 64


class ExpertInputError(ValueError):
    """An expert or category cannot be saved; the message says why, in one sentence (the
    command line prints it), and `key`, `field` and `values` say it for a page."""

    def __init__(self, message: str, key: str = "records.experts.error.invalid",
                 field: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key, self.field, self.values = key, field, values


@dataclass(frozen=True, slots=True)
class ExpertView:
    telegram_id: int
    name: str
    categories: tuple[str, ...]
    alias_zh: str
    alias_en: str
    stepped_off: bool

    def alias(self, locale: str) -> str:
        return self.alias_en if locale == "en" else self.alias_zh


def surname(name: str) -> str:
    """王伟 -> 王; "Wang Wei" (pinyin, surname first) -> Wang."""
    name = name.strip()
    if _CJK.match(name):
        return name[0]
    return name.split()[0] if name.split() else name


class ExpertService:
    def __init__(self, repository: RosterRepository, people: PeopleService, texts: Texts) -> None:
        self._repository = repository
        self._people = people
        self._texts = texts

    async def seed_categories_if_empty(self, path: Path = DEFAULT_CATEGORIES_FILE) -> bool:
        if await self._repository.categories(include_inactive=True):
            return False
        with path.open(encoding="utf-8") as handle:
            rows = [(row["key"], row["name_zh"], row["name_en"]) for row in csv.DictReader(handle)]
        await self._repository.seed_categories(rows)
        return True

    async def categories(self, *, include_inactive: bool = False) -> list[CategoryRow]:
        return await self._repository.categories(include_inactive=include_inactive)

    async def category(self, key: str) -> CategoryRow | None:
        for row in await self._repository.categories(include_inactive=True):
            if row.key == key:
                return row
        return None

    async def save_category(self, key: str, name_zh: str, name_en: str,
                            active: bool = True) -> None:
        if not _CATEGORY_KEY.match(key):
            raise ExpertInputError(f"category key {key!r} must be 2-32 of a-z, 0-9 and _")
        if not name_zh.strip() or not name_en.strip():
            raise ExpertInputError("a category needs both a Chinese and an English name")
        await self._repository.save_category(key, name_zh.strip()[:32], name_en.strip()[:64],
                                             active)

    async def add(self, telegram_id: int, name: str, categories: list[str],
                  name_en: str | None = None, alias_zh: str | None = None,
                  alias_en: str | None = None) -> bool:
        """Adds (or updates) an expert and grants the expert role; True when new."""
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise ExpertInputError(f"the name must be 1 to {MAX_NAME} characters",
                                   "records.experts.error.name_length", "name", limit=MAX_NAME)
        known = {c.key for c in await self._repository.categories(include_inactive=True)}
        keys = tuple(dict.fromkeys(c.strip() for c in categories if c.strip()))
        if not keys:
            raise ExpertInputError("give at least one category",
                                   "records.experts.error.no_category", "categories")
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise ExpertInputError(f"unknown categories: {', '.join(unknown)} "
                                   f"(known: {', '.join(sorted(known))})",
                                   "records.experts.error.unknown_category", "categories",
                                   category=", ".join(unknown))
        for field, alias in (("alias_zh", alias_zh), ("alias_en", alias_en),
                             ("name_en", name_en)):
            if alias is not None and not 0 < len(alias.strip()) <= MAX_NAME:
                raise ExpertInputError(f"aliases and names must be 1 to {MAX_NAME} characters",
                                       "records.experts.error.name_length", field,
                                       limit=MAX_NAME)
        # The role first: it also makes the user row the expert row points at.
        await self._people.grant(telegram_id, Role.EXPERT)
        return await self._repository.save_expert(telegram_id, name, name_en, keys,
                                                  alias_zh, alias_en)

    async def get(self, telegram_id: int) -> ExpertView | None:
        row = await self._repository.expert(telegram_id)
        return await self._view(row) if row is not None else None

    async def all(self) -> list[ExpertView]:
        return [await self._view(row) for row in await self._repository.experts()]

    async def of_category(self, category: str) -> list[ExpertView]:
        return [e for e in await self.all() if category in e.categories]

    async def set_stepped_off(self, telegram_id: int, stepped_off: bool) -> None:
        await self._repository.set_stepped_off(telegram_id, stepped_off)

    async def active_case(self, telegram_id: int) -> int | None:
        row = await self._repository.expert(telegram_id)
        return row.active_case_id if row is not None else None

    async def set_active_case(self, telegram_id: int, case_id: int | None) -> None:
        await self._repository.set_active_case(telegram_id, case_id)

    def staff_aliases(self) -> tuple[str, str]:
        """How askers see a staff member who took a case over."""
        return (self._texts.text("zh_CN", "hotline.alias.staff"),
                self._texts.text("en", "hotline.alias.staff"))

    async def _view(self, row: ExpertRow) -> ExpertView:
        category = await self.category(row.categories[0]) if row.categories else None
        zh_field = category.name_zh if category else ""
        en_field = category.name_en if category else ""
        alias_zh = row.alias_zh or self._texts.text(
            "zh_CN", "hotline.alias", speciality=zh_field, surname=surname(row.name))
        alias_en = row.alias_en or self._texts.text(
            "en", "hotline.alias", speciality=en_field, surname=surname(row.name_en or row.name))
        return ExpertView(row.telegram_id, row.name, row.categories, alias_zh, alias_en,
                          row.stepped_off)
