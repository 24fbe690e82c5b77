"""A fallback for each category (issue 15 item 4): the expert or staff member who is offered
a case when nobody of its category is on duty, before it goes to the whole staff group.

One front door for the bot (/fallback), the console's roster page and `hotline fallback`:
staff name or clear a category's fallback; refusals are values, each change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.actors import Actor, record_action
from services.audit import CLI, AuditLog
from services.hotline.experts import ExpertService
from services.people import PeopleService
from services.refusals import Refused
from storage.models import Role
from storage.repositories.hotline_duty_cases import DutyCaseRepository

STAFF_ROLES = frozenset({Role.STAFF.value, Role.ADMIN.value})
MAX_REFERENCE = 64
# Audit action names (console/pages/audit_sentences.py and audit_labels.py say them).
AUDIT_SET, AUDIT_CLEAR = "roster.fallback_set", "roster.fallback_clear"


@dataclass(frozen=True, slots=True)
class FallbackView:
    """A category and its fallback (None: none named), for the list staff read."""

    category: str
    name_zh: str
    name_en: str
    telegram_id: int | None
    person: str  # the expert's or staff member's name, "" when none

    def category_name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


class CategoryFallbacks:
    def __init__(self, repository: DutyCaseRepository, experts: ExpertService,
                 people: PeopleService, audit: AuditLog) -> None:
        self._repository = repository
        self._experts = experts
        self._people = people
        self._audit = audit

    async def listing(self) -> list[FallbackView]:
        """Every active category, with its fallback or none."""
        named = {row.category: row.telegram_id for row in await self._repository.fallbacks()}
        views = []
        for category in await self._experts.categories():
            person_id = named.get(category.key)
            views.append(FallbackView(category.key, category.name_zh, category.name_en,
                                      person_id, await self._name(person_id)))
        return views

    async def set(self, actor: Actor, category: str, person_id: int) -> FallbackView:
        """Names the category's fallback: an expert (of any category) or a staff member."""
        await self._check_actor(actor)
        known = await self._experts.category(category)
        if known is None or not known.active:
            raise Refused("hotline.fallback.unknown_category", "category", category=category)
        if not await self._eligible(person_id):
            raise Refused("hotline.fallback.not_eligible", "person", person=str(person_id))
        await self._repository.set_fallback(category, person_id, actor.telegram_id)
        name = await self._name(person_id)
        await record_action(self._audit, actor, AUDIT_SET, category,
                            {"person": person_id, "name": name})
        return FallbackView(category, known.name_zh, known.name_en, person_id, name)

    async def clear(self, actor: Actor, category: str) -> None:
        await self._check_actor(actor)
        if not await self._repository.clear_fallback(category):
            raise Refused("hotline.fallback.none_set", "category", category=category)
        await record_action(self._audit, actor, AUDIT_CLEAR, category)

    async def find_person(self, reference: str) -> int:
        """A Telegram id, or the name of an expert (as staff know them); refused otherwise."""
        reference = reference.strip().removeprefix("@")[:MAX_REFERENCE]
        if reference.isdigit() and int(reference) < 2**63:
            return int(reference)
        wanted = reference.casefold()
        for expert in await self._experts.all():
            if wanted and wanted in (expert.name.casefold(), expert.alias_zh.casefold(),
                                     expert.alias_en.casefold()):
                return expert.telegram_id
        # Staff are not on the roster: found by their Telegram username.
        for role in (Role.STAFF, Role.ADMIN):
            for person in await self._people.list_people(role):
                if wanted and person.username and person.username.casefold() == wanted:
                    return person.telegram_id
        raise Refused("hotline.fallback.not_eligible", "person", person=reference)

    async def person_for(self, category: str) -> int | None:
        """Whom to offer a case of the category when nobody is on duty: the fallback, unless
        they stepped off (/duty off) or are no longer an expert nor staff."""
        row = await self._repository.fallback(category)
        if row is None:
            return None
        expert = await self._experts.get(row.telegram_id)
        if expert is not None:
            return None if expert.stepped_off else expert.telegram_id
        person = await self._people.get(row.telegram_id)
        return row.telegram_id if person is not None and STAFF_ROLES & person.roles else None

    async def _check_actor(self, actor: Actor) -> None:
        """Staff only; the command line's operator holds every power (services.actors)."""
        if actor.channel == CLI:
            return
        person = await self._people.get(actor.telegram_id)
        if person is None or not STAFF_ROLES & person.roles:
            raise Refused("hotline.fallback.not_allowed")

    async def _eligible(self, person_id: int) -> bool:
        expert = await self._experts.get(person_id)
        if expert is not None:
            return True
        person = await self._people.get(person_id)
        return person is not None and bool(STAFF_ROLES & person.roles)

    async def _name(self, person_id: int | None) -> str:
        if person_id is None:
            return ""
        expert = await self._experts.get(person_id)
        if expert is not None:
            return expert.name
        person = await self._people.get(person_id)
        return person.display_name if person is not None else str(person_id)
